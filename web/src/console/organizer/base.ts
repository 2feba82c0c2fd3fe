// What every organizer page shares: the client, the organization and the user's role in it (which decides
// the buttons), and one way to run an API call: its failure in words for the page to show next to the form
// that caused it, and a session that ended handed to the shell (which goes back to the sign-in form).

import { LitElement } from "lit";
import type { AdminClient } from "../core/api.js";
import { atLeast, type Role } from "../core/session.js";
import { errorText, isSessionEnd } from "./forms.js";
import { pageStyles } from "./styles.js";

/** Dispatched (bubbling, composed) when the API says the session is over; detail: {message}. */
export const SESSION_ENDED = "rsc-session-ended";

export function sessionEnded(from: EventTarget, message: string): void {
  from.dispatchEvent(new CustomEvent(SESSION_ENDED, { detail: { message }, bubbles: true, composed: true }));
}

export class OrgPage extends LitElement {
  static override styles = [pageStyles];

  static override properties = {
    client: { attribute: false },
    org: { type: Number },
    orgRole: { attribute: false },
  };

  declare client: AdminClient;
  declare org: number;
  declare orgRole: Role | undefined;

  /** editors and owners change the organization's data; viewers (and scorers) only read it */
  get canEdit(): boolean {
    return atLeast(this.orgRole, "editor");
  }

  /** Run `work`; on failure return its message in words (null on success). A 401 also tells the shell. */
  protected async attempt(work: () => Promise<unknown>): Promise<string | null> {
    try {
      await work();
      return null;
    } catch (error) {
      const text = errorText(error);
      if (isSessionEnd(error)) sessionEnded(this, text);
      return text;
    }
  }
}
