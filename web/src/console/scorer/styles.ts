// The scorer's page is used standing at a pitch side with one thumb: large buttons (3.5rem), two to a row
// on a phone, the score and the clock always at the top, high contrast, nothing wider than the screen.

import { css } from "lit";

export const scorerStyles = css`
  :host {
    display: block;
    color: #1b1f24;
    font-family: system-ui, sans-serif;
    max-width: 40rem;
    margin: 0 auto;
    min-width: 0;
  }
  * {
    box-sizing: border-box;
  }
  h2 {
    font-size: 1.15rem;
    margin: 0.25rem 0 0.5rem;
  }
  button {
    font: inherit;
    min-height: 3rem;
    padding: 0.4rem 0.7rem;
    border-radius: 0.5rem;
    border: 1px solid #1b5fbf;
    background: #fff;
    color: #1b5fbf;
    cursor: pointer;
    touch-action: manipulation;
  }
  button.primary,
  .pad button {
    background: #1b5fbf;
    color: #fff;
  }
  .pad button {
    min-height: 3.5rem;
    font-size: 1.05rem;
    font-weight: 600;
  }
  .pad button.card-yellow {
    background: #f2c200;
    border-color: #c49d00;
    color: #1b1f24;
  }
  .pad button.card-red {
    background: #c62828;
    border-color: #c62828;
  }
  .pad button.final,
  button.danger {
    background: #14532d;
    border-color: #14532d;
    color: #fff;
  }
  .pad button.undo {
    background: #fff;
    color: #b3261e;
    border-color: #b3261e;
  }
  button[disabled] {
    opacity: 0.5;
    cursor: default;
  }
  button:focus-visible,
  input:focus-visible {
    outline: 3px solid #f0a202;
    outline-offset: 2px;
  }
  button.link {
    border: none;
    background: none;
    min-height: 2.75rem;
    text-decoration: underline;
    padding: 0.2rem;
  }
  .muted {
    color: #59636e;
  }
  header.match {
    position: sticky;
    top: 0;
    z-index: 1;
    background: #14532d;
    color: #fff;
    border-radius: 0 0 0.6rem 0.6rem;
    padding: 0.5rem 0.75rem 0.6rem;
  }
  .teams {
    display: grid;
    grid-template-columns: 1fr auto 1fr;
    align-items: center;
    gap: 0.4rem;
    text-align: center;
  }
  .teams .name {
    font-weight: 600;
    overflow-wrap: anywhere;
    line-height: 1.2;
  }
  .score {
    font-size: 2.2rem;
    font-weight: 700;
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .shootout {
    font-size: 0.9rem;
    text-align: center;
  }
  .status-line {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    align-items: center;
    gap: 0.3rem 0.6rem;
    margin-top: 0.3rem;
    font-size: 0.95rem;
  }
  .badge {
    display: inline-block;
    padding: 0.1rem 0.5rem;
    border-radius: 1rem;
    background: #fff;
    color: #14532d;
    font-weight: 600;
  }
  .badge[data-status] {
    text-transform: capitalize;
  }
  [data-connection="offline"] {
    background: #f2c200;
    color: #1b1f24;
  }
  .clock {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4rem;
    margin: 0.6rem 0;
  }
  .clock .time {
    font-size: 1.6rem;
    font-weight: 700;
    font-variant-numeric: tabular-nums;
    min-width: 5.5rem;
  }
  .clock .period {
    font-weight: 600;
  }
  .clock input {
    width: 4.5rem;
  }
  .pad {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 10rem), 1fr));
    gap: 0.5rem;
    margin: 0.5rem 0;
  }
  .pad .wide {
    grid-column: 1 / -1;
  }
  .pad button.plain {
    background: #fff;
    color: #1b5fbf;
  }
  .alert {
    background: #fdecea;
    border: 1px solid #b3261e;
    color: #8c1d18;
    border-radius: 0.5rem;
    padding: 0.5rem 0.75rem;
    margin: 0.5rem 0;
    overflow-wrap: anywhere;
  }
  .notice {
    background: #fff8d6;
    border: 1px solid #c49d00;
    border-radius: 0.5rem;
    padding: 0.5rem 0.75rem;
    margin: 0.5rem 0;
  }
  .confirm {
    display: grid;
    gap: 0.5rem;
    background: #f3f5f8;
    border-radius: 0.5rem;
    padding: 0.6rem;
    margin: 0.5rem 0;
  }
  .sheet,
  .lineups {
    background: #f3f5f8;
    border-radius: 0.6rem;
    padding: 0.6rem;
    margin: 0.5rem 0;
  }
  fieldset {
    border: none;
    margin: 0 0 0.6rem;
    padding: 0;
    min-width: 0;
  }
  legend {
    font-weight: 600;
    margin-bottom: 0.3rem;
  }
  .choices {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 9rem), 1fr));
    gap: 0.4rem;
  }
  .choices.two {
    grid-template-columns: 1fr 1fr;
  }
  .choices.three {
    grid-template-columns: repeat(3, 1fr);
  }
  .choices.four {
    grid-template-columns: repeat(2, 1fr);
  }
  button.choice {
    text-align: left;
    overflow-wrap: anywhere;
    color: #1b1f24;
    border-color: #8a94a0;
  }
  button.choice[aria-pressed="true"] {
    background: #1b5fbf;
    border-color: #1b5fbf;
    color: #fff;
    font-weight: 600;
  }
  button.small {
    min-height: 2.75rem;
    padding: 0.3rem 0.5rem;
    font-size: 0.9rem;
  }
  .time label,
  label.wide {
    display: inline-grid;
    gap: 0.2rem;
    margin-right: 0.6rem;
  }
  input {
    font: inherit;
    min-height: 2.75rem;
    padding: 0.4rem;
    border: 1px solid #6b7480;
    border-radius: 0.4rem;
    max-width: 100%;
  }
  .time input {
    width: 5.5rem;
  }
  .actions {
    display: grid;
    grid-template-columns: 1fr 1fr;
    gap: 0.5rem;
    margin-top: 0.6rem;
  }
  .problem {
    color: #8c1d18;
    font-weight: 600;
  }
  ul.roster,
  ul.entries {
    list-style: none;
    padding: 0;
    margin: 0.4rem 0;
  }
  ul.roster li {
    display: grid;
    gap: 0.3rem;
    padding: 0.4rem 0;
    border-bottom: 1px solid #d9dde3;
  }
  ul.roster .parts {
    display: grid;
    grid-template-columns: repeat(4, 1fr);
    gap: 0.3rem;
  }
  ul.entries li {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.1rem 0.6rem;
    padding: 0.5rem 0.4rem;
    border-bottom: 1px solid #d9dde3;
    overflow-wrap: anywhere;
  }
  ul.entries .when {
    font-weight: 700;
    font-variant-numeric: tabular-nums;
    min-width: 3rem;
  }
  ul.entries .state {
    grid-column: 2;
    font-size: 0.9rem;
  }
  ul.entries li[data-entry-state="pending"] {
    background: #fff8d6;
  }
  ul.entries li[data-entry-state="conflict"] {
    background: #fdecea;
  }
  ul.entries .resolve {
    grid-column: 1 / -1;
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem;
  }
`;
