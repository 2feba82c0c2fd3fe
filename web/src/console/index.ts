// The console bundle (rstat-console): the organizer's pages and the scorer's page, served by the admin
// app under /console. Importing a module defines its custom elements.
import "./shell.js";
import "./scorer/element.js";
