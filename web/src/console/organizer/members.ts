// <rsc-members>: the organization's members and their roles (owners only): add a member (creating the
// account when nobody has that email yet), change a role, remove a member. The API keeps the last owner.

import { html, nothing, type TemplateResult } from "lit";
import { ROLE_ORDER } from "../core/session.js";
import { OrgPage } from "./base.js";

export interface Member {
  user_id: number;
  email: string;
  display_name: string;
  role: string;
}

export const ROLE_WORDS: Record<string, string> = {
  viewer: "viewer: reads everything, changes nothing",
  scorer: "scorer: enters match protocols",
  editor: "editor: runs competitions, teams and calendars",
  owner: "owner: everything, members and website clients too",
};

export class RscMembers extends OrgPage {
  static override properties = {
    ...OrgPage.properties,
    members: { state: true },
    error: { state: true },
    formError: { state: true },
    rowError: { state: true },
    confirming: { state: true },
    notice: { state: true },
    busy: { state: true },
  };

  declare members: Member[] | null;
  declare error: string;
  declare formError: string;
  declare rowError: { id: number; text: string } | null;
  declare confirming: number | null;
  declare notice: string;
  declare busy: boolean;

  constructor() {
    super();
    this.members = null;
    this.error = "";
    this.formError = "";
    this.rowError = null;
    this.confirming = null;
    this.notice = "";
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.orgRole === "owner") void this.load();
  }

  private get base(): string {
    return `/v1/orgs/${this.org}/members`;
  }

  async load(): Promise<void> {
    const failed = await this.attempt(async () => {
      this.members = await this.client.request<Member[]>("GET", this.base);
    });
    this.error = failed ?? "";
  }

  private async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const text = (name: string): string => String(data.get(name) ?? "").trim();
    const body: Record<string, string> = { email: text("email"), role: text("role") };
    if (text("password")) body.password = text("password");
    if (text("display_name")) body.display_name = text("display_name");
    this.busy = true;
    const failed = await this.attempt(() => this.client.request("POST", this.base, { body }));
    this.busy = false;
    this.formError = failed ?? "";
    if (!failed) {
      form.reset();
      this.notice = `${body.email} is a member now (${body.role}).`;
      await this.load();
    }
  }

  private async setRole(member: Member, select: HTMLSelectElement): Promise<void> {
    const role = select.value;
    const failed = await this.attempt(() => this.client.request("PATCH", `${this.base}/${member.user_id}`, { body: { role } }));
    if (failed) select.value = member.role; // refused: the select shows the role the member still has
    this.rowError = failed ? { id: member.user_id, text: failed } : null;
    this.notice = failed ? "" : `${member.email} is ${role} now, from their next sign-in (or token refresh).`;
    await this.load();
  }

  private async removeMember(member: Member): Promise<void> {
    const failed = await this.attempt(() => this.client.request("DELETE", `${this.base}/${member.user_id}`));
    this.confirming = null;
    this.rowError = failed ? { id: member.user_id, text: failed } : null;
    this.notice = failed ? "" : `${member.email} is no longer a member.`;
    await this.load();
  }

  override render(): TemplateResult {
    if (this.orgRole !== "owner") return html`<p class="error" role="alert">Only owners manage the members.</p>`;
    return html`<h2>Members</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="ok" role="status">${this.notice}</p>` : nothing}
      ${this.members ? this.renderTable(this.members) : nothing}
      <h3>Add a member</h3>
      <form class="edit" aria-label="Add a member" @submit=${(e: SubmitEvent) => void this.add(e)}>
        <div class="field">
          <label for="m-email">Email</label>
          <input id="m-email" name="email" type="email" required autocomplete="off" />
        </div>
        <div class="field">
          <label for="m-role">Role</label>
          <select id="m-role" name="role">
            ${ROLE_ORDER.map((r) => html`<option value=${r} ?selected=${r === "scorer"}>${ROLE_WORDS[r]}</option>`)}
          </select>
        </div>
        <div class="field">
          <label for="m-password">Password <span class="opt">(for a new account)</span></label>
          <input id="m-password" name="password" type="password" minlength="10" autocomplete="new-password" aria-describedby="m-password-hint" />
          <small id="m-password-hint">only when nobody has this email yet: at least 10 characters</small>
        </div>
        <div class="field">
          <label for="m-name">Display name <span class="opt">(optional)</span></label>
          <input id="m-name" name="display_name" />
        </div>
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
        <div class="actions"><button type="submit" ?disabled=${this.busy}>Add member</button></div>
      </form>`;
  }

  private renderTable(members: Member[]): TemplateResult {
    return html`<div class="scroll">
      <table>
        <thead>
          <tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col"><span class="muted">Actions</span></th></tr>
        </thead>
        <tbody>
          ${members.map(
            (m) => html`<tr data-id=${m.user_id}>
                <td>${m.email}</td>
                <td>${m.display_name}</td>
                <td>
                  <select aria-label=${`Role of ${m.email}`} @change=${(e: Event) => void this.setRole(m, e.target as HTMLSelectElement)}>
                    ${ROLE_ORDER.map((r) => html`<option value=${r} ?selected=${r === m.role}>${r}</option>`)}
                  </select>
                </td>
                <td class="actions">
                  ${this.confirming === m.user_id
                    ? html`<span>Remove ${m.email}?</span>
                        <button type="button" class="danger" @click=${() => void this.removeMember(m)}>Yes, remove</button>
                        <button type="button" class="secondary" @click=${() => (this.confirming = null)}>Keep</button>`
                    : html`<button type="button" class="secondary" aria-label=${`Remove ${m.email}`} @click=${() => (this.confirming = m.user_id)}>Remove</button>`}
                </td>
              </tr>
              ${this.rowError?.id === m.user_id ? html`<tr class="bad"><td colspan="4" role="alert">${this.rowError.text}</td></tr>` : nothing}`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}

customElements.define("rsc-members", RscMembers);
