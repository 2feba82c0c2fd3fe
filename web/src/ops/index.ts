// The operations page's bundle (rstat-ops): defines <rstat-ops>, served by the admin app at /ops.
import { RstatOps } from "./element.js";

export { RstatOps };

if (!customElements.get("rstat-ops")) customElements.define("rstat-ops", RstatOps);
