// The organizer pages' shared look: plain system fonts, large touch targets (2.75rem, a finger on a phone),
// tables that scroll inside their box instead of widening the page, and errors in a red box next to the
// form that caused them.

import { css } from "lit";

export const pageStyles = css`
  :host {
    display: block;
    color: #1b1f24;
    font-family: system-ui, sans-serif;
    min-width: 0;
  }
  h2 {
    font-size: 1.25rem;
    margin: 0.5rem 0 0.75rem;
  }
  h3 {
    font-size: 1.05rem;
    margin: 1.25rem 0 0.5rem;
  }
  a {
    color: #1b5fbf;
  }
  p {
    margin: 0.4rem 0;
  }
  button,
  .button {
    font: inherit;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    padding: 0.4rem 0.9rem;
    min-height: 2.75rem;
    border-radius: 0.4rem;
    border: 1px solid #1b5fbf;
    background: #1b5fbf;
    color: #fff;
    cursor: pointer;
    text-decoration: none;
    box-sizing: border-box;
  }
  button.secondary,
  .button.secondary {
    background: #fff;
    color: #1b5fbf;
  }
  button.danger {
    background: #b3261e;
    border-color: #b3261e;
  }
  button[disabled] {
    opacity: 0.6;
    cursor: default;
  }
  button:focus-visible,
  a:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible {
    outline: 3px solid #f0a202;
    outline-offset: 2px;
  }
  input,
  select,
  textarea {
    font: inherit;
    padding: 0.45rem;
    min-height: 2.75rem;
    border: 1px solid #6b7480;
    border-radius: 0.4rem;
    background: #fff;
    box-sizing: border-box;
    max-width: 100%;
  }
  textarea {
    width: 100%;
    min-height: 8rem;
    font-family: ui-monospace, monospace;
    font-size: 0.9rem;
  }
  form.edit {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 14rem), 1fr));
    gap: 0.6rem 1rem;
    align-items: end;
    background: #f3f5f8;
    padding: 0.75rem;
    border-radius: 0.5rem;
    margin: 0.5rem 0 1rem;
  }
  form.edit .wide,
  form.edit .actions,
  form.edit .error {
    grid-column: 1 / -1;
  }
  .field {
    display: grid;
    /* a select as wide as its longest option may shrink with the field instead of widening the page */
    grid-template-columns: minmax(0, 1fr);
    gap: 0.2rem;
    min-width: 0;
  }
  form.edit .field:not(.check) > input,
  form.edit .field:not(.check) > select {
    width: 100%;
  }
  input.short {
    width: 6rem;
  }
  .field.narrow {
    max-width: 24rem;
  }
  .field.check {
    display: flex;
    align-items: center;
    gap: 0.5rem;
  }
  .field.check input {
    min-height: auto;
    width: 1.3rem;
    height: 1.3rem;
  }
  .field small,
  .muted {
    color: #4a525c;
    font-size: 0.85rem;
  }
  .opt {
    color: #4a525c;
    font-weight: normal;
    font-size: 0.85rem;
  }
  .actions,
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  .toolbar {
    margin: 0.5rem 0;
  }
  .error {
    background: #fdecea;
    color: #8a1c12;
    padding: 0.6rem 0.8rem;
    border-radius: 0.4rem;
    margin: 0.5rem 0;
  }
  .ok {
    background: #e7f4ea;
    color: #1d5b2c;
    padding: 0.6rem 0.8rem;
    border-radius: 0.4rem;
    margin: 0.5rem 0;
  }
  .warning {
    background: #fff4d6;
    color: #5c4400;
    padding: 0.6rem 0.8rem;
    border-radius: 0.4rem;
  }
  .scroll {
    overflow-x: auto;
    max-width: 100%;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    text-align: start;
    padding: 0.4rem 0.5rem;
    border-bottom: 1px solid #d9dde3;
    vertical-align: middle;
  }
  th {
    font-size: 0.85rem;
    color: #4a525c;
    white-space: nowrap;
  }
  td.actions {
    white-space: nowrap;
  }
  td.actions > * + * {
    margin-inline-start: 0.25rem;
  }
  td.actions button,
  td.actions .button {
    min-height: 2.5rem;
    padding: 0.25rem 0.6rem;
  }
  tr.bad td,
  tr.bad th {
    background: #fdecea;
  }
  td.problem {
    color: #8a1c12;
    font-weight: 600;
  }
  .pager {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    margin: 0.5rem 0;
  }
  .crumbs {
    font-size: 0.9rem;
    margin: 0.25rem 0;
  }
  .tabs {
    display: flex;
    gap: 0.25rem;
    overflow-x: auto;
    border-bottom: 1px solid #d9dde3;
    margin: 0.5rem 0 1rem;
  }
  .tabs a {
    padding: 0.6rem 0.8rem;
    text-decoration: none;
    white-space: nowrap;
    border-bottom: 3px solid transparent;
  }
  .tabs a[aria-current="page"] {
    border-bottom-color: #1b5fbf;
    font-weight: 600;
    color: #1b1f24;
  }
  /* below 40rem a table of class "cards" shows each row as a card, each cell named by its data-label */
  @media (max-width: 40rem) {
    table.cards thead {
      display: none;
    }
    table.cards,
    table.cards tbody,
    table.cards tr,
    table.cards td {
      display: block;
    }
    table.cards tr {
      border-bottom: 1px solid #d9dde3;
      padding: 0.4rem 0;
    }
    table.cards td {
      border: 0;
      padding: 0.15rem 0.25rem;
    }
    table.cards td[data-label]::before {
      content: attr(data-label) ": ";
      color: #4a525c;
      font-size: 0.85rem;
    }
    table.cards td.actions {
      white-space: normal;
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
      padding-top: 0.4rem;
    }
  }
  code {
    font-family: ui-monospace, monospace;
    overflow-wrap: anywhere;
  }
`;
