// The console bundle (rstat-console): the organizer's pages and the scorer's page, served by the admin
// app under /console. Importing a module defines its custom elements.
import "./shell.js";
import "./scorer/element.js";
import { registerWorker } from "./offline/worker.js";

// the service worker that lets the page (and the installed app) open without a connection
void registerWorker();
