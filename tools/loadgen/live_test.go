package main

import (
	"fmt"
	"testing"
)

func newLive() *live {
	return &live{
		opt:     liveOptions{track: map[string]bool{"goal_scored": true}},
		notices: map[string]*noticeStat{}, byKind: map[string]int64{}, closes: map[string]int64{},
		errs: map[string]int64{}, errorSample: map[string]string{},
	}
}

func goal(ch string, seq int, id string) []byte {
	return []byte(fmt.Sprintf(`{"channel":%q,"epoch":"e","seq":%d,"kind":"goal_scored","ts":5,"body":{"id":%q}}`,
		ch, seq, id))
}

func TestSeqGapsDuplicatesAndNoticeTallies(t *testing.T) {
	g := newLive()
	states, seen := map[string]*channelState{}, map[string]bool{}
	g.handle([]byte(`{"channel":"match:1","epoch":"e","seq":7,"kind":"state","recovered":false,"body":{}}`),
		1, states, seen)
	g.handle(goal("match:1", 8, "goal_scored:1"), 100, states, seen)
	g.handle(goal("match:1", 8, "goal_scored:1"), 101, states, seen)  // the same message twice
	g.handle(goal("match:1", 11, "goal_scored:2"), 300, states, seen) // 9 and 10 never came
	g.handle([]byte(`{"kind":"ping","ts":9}`), 400, states, seen)
	if g.gaps != 2 || g.dups != 1 || g.dupIDs != 0 {
		t.Fatalf("gaps %d, duplicates %d, duplicate ids %d", g.gaps, g.dups, g.dupIDs)
	}
	// another client's copy of notice 1 arrives later: the notice's last arrival moves
	other := map[string]*channelState{"match:1": {epoch: "e", seq: 7, have: true}}
	g.handle(goal("match:1", 8, "goal_scored:1"), 250, other, map[string]bool{})
	n := g.notices["goal_scored:1"]
	if n.Count != 2 || n.FirstUs != 100 || n.LastUs != 250 || n.TsMs != 5 {
		t.Fatalf("notice 1: %+v", *n)
	}
	if g.byKind["goal_scored"] != 4 || g.byKind["ping"] != 1 || g.messages != 6 {
		t.Fatalf("kinds %v, messages %d", g.byKind, g.messages)
	}
}

func TestANewEpochRestartsTheNumbering(t *testing.T) {
	g := newLive()
	states := map[string]*channelState{"match:1": {epoch: "e", seq: 3, have: true}}
	g.handle([]byte(`{"channel":"match:1","epoch":"f","seq":1,"kind":"goal_scored","ts":5,"body":{"id":"x"}}`),
		1, states, map[string]bool{})
	g.handle(goal("match:1", 2, "y"), 2, map[string]*channelState{}, map[string]bool{})
	if g.epochs != 1 || g.gaps != 0 || g.beforeState != 1 {
		t.Fatalf("epochs %d, gaps %d, before state %d", g.epochs, g.gaps, g.beforeState)
	}
}

func TestErrorAnswersAreCountedByCode(t *testing.T) {
	g := newLive()
	g.handle([]byte(`{"kind":"error","code":"not_found","message":"no","channel":"match:9"}`),
		1, map[string]*channelState{}, map[string]bool{})
	if g.errs["answer_not_found"] != 1 || g.errorSample["answer_not_found"] == "" {
		t.Fatalf("errors %v", g.errs)
	}
}
