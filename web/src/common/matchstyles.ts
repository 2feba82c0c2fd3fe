import { css } from "lit";

/** Match tables (scoreboard, calendar): home right-aligned against the score, away left-aligned. */
export const matchStyles = css`
  td.name,
  th.name {
    width: 45%;
  }
  .home {
    text-align: end;
  }
  .away {
    text-align: start;
  }
  .score {
    text-align: center;
    font-weight: 700;
    white-space: nowrap;
  }
  .when {
    text-align: start;
    width: 1%;
  }
  .state {
    width: 1%;
  }
  thead.vh {
    position: absolute;
  }
  .short {
    display: none;
  }
  @container (max-width: 30rem) {
    .when time {
      font-size: 0.8em;
    }
    .long {
      display: none;
    }
    .short {
      display: inline;
    }
  }
`;
