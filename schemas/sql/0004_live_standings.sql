-- Live standings: the standings "if it ended now", with matches in play counted at their current score.
-- Kept apart from stats.standings, which only ever counts finished and awarded matches.
CREATE TABLE stats.live_standings (LIKE stats.standings INCLUDING ALL);
CREATE TABLE stats.live_standings_versions (LIKE stats.standings_versions INCLUDING ALL);
