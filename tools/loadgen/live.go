// `loadgen live`: WebSocket clients of the public API's live feed, for `rstat bench live`.
//
// -clients connections are opened (at most -c handshakes in flight), each subscribes to every channel of
// -channels and waits for each channel's answer (its state, or an error). When every client is ready (or
// has failed -retries times) one JSON line {"event":"ready",...} goes to stdout. Then each line read from
// stdin is the id of a notice the clients must all receive (a body "id", e.g. "goal_scored:42"); at EOF
// the generator waits until every expected notice reached every client still connected (or -timeout),
// closes the connections and prints one JSON line {"event":"done",...}: for each notice id seen (of the
// -track kinds), how many clients received it, the first and last arrival (unix µs, taken as the read
// returns, before parsing) and the message's "ts"; per client and channel the seq must grow by one, so
// gaps and duplicates are counted, and so are closes by code (4008: too slow) and error answers by code.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

type liveOptions struct {
	url          string
	token        string
	apiKey       string
	clients      int
	channels     []string
	concurrency  int
	retries      int
	readyTimeout time.Duration
	timeout      time.Duration
	track        map[string]bool
}

// noticeStat is what the clients together saw of one notice id.
type noticeStat struct {
	Count   int    `json:"count"`
	FirstUs int64  `json:"first_us"`
	LastUs  int64  `json:"last_us"`
	TsMs    int64  `json:"ts_ms"`
	Channel string `json:"channel"`
}

type liveSummary struct {
	Event         string                 `json:"event"`
	Clients       int                    `json:"clients"`
	Ready         int64                  `json:"ready"`
	Failed        int64                  `json:"failed"`
	Expected      int                    `json:"expected"`
	Complete      bool                   `json:"complete"`
	WaitS         float64                `json:"wait_s"`
	Messages      int64                  `json:"messages"`
	ByKind        map[string]int64       `json:"by_kind"`
	Gaps          int64                  `json:"gaps"`
	Duplicates    int64                  `json:"duplicates"`
	DuplicateIDs  int64                  `json:"duplicate_ids"`
	EpochChanges  int64                  `json:"epoch_changes"`
	BeforeState   int64                  `json:"before_state"`
	Closes        map[string]int64       `json:"closes"`
	Errors        map[string]int64       `json:"errors"`
	ErrorSample   map[string]string      `json:"error_sample"`
	Notices       map[string]*noticeStat `json:"notices"`
	ReadErrors    int64                  `json:"read_errors"`
	UnparsedLines int64                  `json:"unparsed"`
}

// message is the part of a server message the generator reads.
type message struct {
	Kind    string          `json:"kind"`
	Channel string          `json:"channel"`
	Epoch   string          `json:"epoch"`
	Seq     *int64          `json:"seq"`
	Ts      int64           `json:"ts"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Body    json.RawMessage `json:"body"`
}

type channelState struct {
	epoch string
	seq   int64
	have  bool
}

type live struct {
	opt      liveOptions
	stopping atomic.Bool
	ready    atomic.Int64
	failed   atomic.Int64
	closed   atomic.Int64 // clients that lost their connection after being ready

	mu          sync.Mutex
	notices     map[string]*noticeStat
	byKind      map[string]int64
	closes      map[string]int64
	errs        map[string]int64
	errorSample map[string]string // the first detail of each error or close kind
	messages    int64
	gaps        int64
	dups        int64
	dupIDs      int64
	epochs      int64
	beforeState int64
	readErrors  int64
	unparsed    int64

	connsMu sync.Mutex
	conns   []*websocket.Conn
}

func parseLive(args []string) liveOptions {
	fs := flag.NewFlagSet("live", flag.ExitOnError)
	u := fs.String("url", "", "WebSocket URL of the live feed (ws://host:port/v1/live)")
	token := fs.String("token", "", "access token, sent as ?token=")
	apiKey := fs.String("api-key", "", "API key <client id>:<secret>, sent as ?api_key= (instead of -token)")
	clients := fs.Int("clients", 1000, "connections")
	channels := fs.String("channels", "", "comma-separated channels each client subscribes to")
	concurrency := fs.Int("c", 50, "handshakes (connect, subscribe, first states) in flight")
	retries := fs.Int("retries", 3, "attempts per client before it counts as failed")
	readyTimeout := fs.Duration("ready-timeout", 10*time.Minute, "how long the clients may take to be ready")
	timeout := fs.Duration("timeout", 60*time.Second, "after stdin closes, how long to wait for expected notices")
	track := fs.String("track", "goal_scored", "comma-separated notice kinds whose body ids are tallied")
	fs.Parse(args)
	if *u == "" || *channels == "" {
		fmt.Fprintln(os.Stderr, "loadgen live: -url and -channels are required")
		os.Exit(2)
	}
	kinds := map[string]bool{}
	for _, k := range strings.Split(*track, ",") {
		kinds[strings.TrimSpace(k)] = true
	}
	return liveOptions{
		url: *u, token: *token, apiKey: *apiKey, clients: *clients, channels: strings.Split(*channels, ","),
		concurrency: *concurrency, retries: *retries, readyTimeout: *readyTimeout, timeout: *timeout, track: kinds,
	}
}

func runLive(args []string) int {
	raiseFileLimit()
	opt := parseLive(args)
	g := &live{
		opt: opt, notices: map[string]*noticeStat{}, byKind: map[string]int64{}, closes: map[string]int64{},
		errs: map[string]int64{}, errorSample: map[string]string{},
	}
	target, err := g.target()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen live:", err)
		return 2
	}
	httpClient := &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: -1,
	}}

	start := time.Now()
	sem := make(chan struct{}, opt.concurrency)
	readyCh := make(chan bool, opt.clients)
	var wg sync.WaitGroup
	for i := 0; i < opt.clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.client(target, httpClient, sem, readyCh)
		}()
	}
	deadline := time.After(opt.readyTimeout)
	progress := time.NewTicker(5 * time.Second)
	answered := 0
waitReady:
	for answered < opt.clients {
		select {
		case <-readyCh:
			answered++
		case <-progress.C:
			fmt.Fprintf(os.Stderr, "loadgen live: %d of %d clients ready, %d failed\n",
				g.ready.Load(), opt.clients, g.failed.Load())
		case <-deadline:
			fmt.Fprintf(os.Stderr, "loadgen live: only %d of %d clients ready after %s\n",
				g.ready.Load(), opt.clients, opt.readyTimeout)
			break waitReady
		}
	}
	progress.Stop()
	g.mu.Lock()
	readyLine := map[string]any{
		"event": "ready", "clients": opt.clients, "ready": g.ready.Load(), "failed": g.failed.Load(),
		"connect_s": time.Since(start).Seconds(), "errors": g.errs, "closes": g.closes,
		"error_sample": g.errorSample,
	}
	out, _ := json.Marshal(readyLine)
	g.mu.Unlock()
	os.Stdout.Write(append(out, '\n'))

	expected := readExpected()
	waitStart := time.Now()
	complete := g.waitAll(expected, opt.timeout)
	waited := time.Since(waitStart).Seconds()
	g.stopping.Store(true)
	g.closeAll()
	wg.Wait()

	g.mu.Lock()
	defer g.mu.Unlock()
	summary := liveSummary{
		Event: "done", Clients: opt.clients, Ready: g.ready.Load(), Failed: g.failed.Load(),
		Expected: len(expected), Complete: complete, WaitS: waited, Messages: g.messages, ByKind: g.byKind,
		Gaps: g.gaps, Duplicates: g.dups, DuplicateIDs: g.dupIDs, EpochChanges: g.epochs,
		BeforeState: g.beforeState, Closes: g.closes, Errors: g.errs, ErrorSample: g.errorSample,
		Notices: g.notices, ReadErrors: g.readErrors, UnparsedLines: g.unparsed,
	}
	if err := json.NewEncoder(os.Stdout).Encode(summary); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen live:", err)
		return 1
	}
	return 0
}

func (g *live) target() (string, error) {
	u, err := url.Parse(g.opt.url)
	if err != nil {
		return "", err
	}
	q := u.Query()
	if g.opt.token != "" {
		q.Set("token", g.opt.token)
	}
	if g.opt.apiKey != "" {
		q.Set("api_key", g.opt.apiKey)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// readExpected reads notice ids from stdin until EOF; the clients' reads go on meanwhile.
func readExpected() []string {
	var ids []string
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		if id := strings.TrimSpace(scanner.Text()); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// waitAll waits until every expected id reached every client that is still connected.
func (g *live) waitAll(expected []string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		want := g.ready.Load() - g.closed.Load()
		if want <= 0 {
			return false
		}
		g.mu.Lock()
		done := true
		for _, id := range expected {
			if n, ok := g.notices[id]; !ok || int64(n.Count) < want {
				done = false
				break
			}
		}
		g.mu.Unlock()
		if done {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (g *live) closeAll() {
	g.connsMu.Lock()
	conns := g.conns
	g.conns = nil
	g.connsMu.Unlock()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	for _, c := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func(c *websocket.Conn) {
			defer wg.Done()
			defer func() { <-sem }()
			c.Close(websocket.StatusNormalClosure, "bench done")
		}(c)
	}
	wg.Wait()
}

func (g *live) noteError(what string, detail string) {
	g.mu.Lock()
	g.errs[what]++
	g.sample(what, detail)
	g.mu.Unlock()
}

// client connects (with retries), subscribes, reports ready once every channel answered, then reads on.
func (g *live) client(target string, httpClient *http.Client, sem chan struct{}, readyCh chan<- bool) {
	var conn *websocket.Conn
	var states map[string]*channelState
	var seen map[string]bool
	ok := false
	for attempt := 0; attempt < g.opt.retries && !ok; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 500 * time.Millisecond)
		}
		sem <- struct{}{}
		conn, states, seen, ok = g.handshake(target, httpClient)
		<-sem
	}
	if !ok {
		g.failed.Add(1)
		readyCh <- false
		return
	}
	g.connsMu.Lock()
	g.conns = append(g.conns, conn)
	g.connsMu.Unlock()
	g.ready.Add(1)
	readyCh <- true
	for {
		_, data, err := conn.Read(context.Background())
		arrival := time.Now().UnixMicro()
		if err != nil {
			if !g.stopping.Load() {
				g.closed.Add(1)
				g.noteClose(err)
			}
			conn.CloseNow()
			return
		}
		g.handleFrame(data, arrival, states, seen)
	}
}

// handshake: dial, read "connected", subscribe, read until every channel answered. Messages read here
// are tallied like any other.
func (g *live) handshake(
	target string, httpClient *http.Client,
) (*websocket.Conn, map[string]*channelState, map[string]bool, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, target, &websocket.DialOptions{HTTPClient: httpClient})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		g.noteError(fmt.Sprintf("dial_%d", status), err.Error())
		return nil, nil, nil, false
	}
	conn.SetReadLimit(4 << 20)
	fail := func(what string, detail string) (*websocket.Conn, map[string]*channelState, map[string]bool, bool) {
		g.noteError(what, detail)
		conn.CloseNow()
		return nil, nil, nil, false
	}
	_, data, err := conn.Read(ctx)
	if err != nil {
		return fail(withCode("connected_read", err), err.Error())
	}
	var first message
	if json.Unmarshal(data, &first) != nil || first.Kind != "connected" {
		return fail("connected_unexpected", string(data))
	}
	g.count(first.Kind)
	sub, _ := json.Marshal(map[string]any{"op": "subscribe", "channels": g.opt.channels})
	if err := conn.Write(ctx, websocket.MessageText, sub); err != nil {
		return fail("subscribe_write", err.Error())
	}
	states := map[string]*channelState{}
	seen := map[string]bool{}
	pending := map[string]bool{}
	for _, ch := range g.opt.channels {
		pending[ch] = true
	}
	for len(pending) > 0 {
		_, data, err := conn.Read(ctx)
		arrival := time.Now().UnixMicro()
		if err != nil {
			return fail(withCode("subscribe_read", err), err.Error())
		}
		for _, m := range g.handleFrame(data, arrival, states, seen) {
			if m != nil && m.Channel != "" && (m.Kind == "state" || m.Kind == "recovered" || m.Kind == "error") {
				delete(pending, m.Channel)
			}
		}
	}
	return conn, states, seen, true
}

// withCode names a failed read with the close code the server sent, if it sent one.
func withCode(what string, err error) string {
	if code := websocket.CloseStatus(err); code != -1 {
		return fmt.Sprintf("%s_%d", what, int(code))
	}
	return what
}

func (g *live) noteClose(err error) {
	code := websocket.CloseStatus(err)
	key := "abnormal"
	if code != -1 {
		key = fmt.Sprint(int(code))
	}
	g.mu.Lock()
	g.closes[key]++
	g.sample("close_"+key, err.Error())
	if code == -1 {
		g.readErrors++
	}
	g.mu.Unlock()
}

// sample keeps the first detail of each kind of error (g.mu held).
func (g *live) sample(what string, detail string) {
	if _, ok := g.errorSample[what]; !ok && len(g.errorSample) < 50 {
		if len(detail) > 500 {
			detail = detail[:500]
		}
		g.errorSample[what] = detail
	}
}

func (g *live) count(kind string) {
	g.mu.Lock()
	g.messages++
	g.byKind[kind]++
	g.mu.Unlock()
}

// handleFrame tallies every message of a frame: the server puts one or more in a frame, one per line.
func (g *live) handleFrame(data []byte, arrival int64, states map[string]*channelState, seen map[string]bool) []*message {
	var out []*message
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(line) > 0 {
			out = append(out, g.handle(line, arrival, states, seen))
		}
	}
	return out
}

// handle tallies one message of one client: its kind, its seq on its channel, a tracked notice's arrival.
func (g *live) handle(data []byte, arrival int64, states map[string]*channelState, seen map[string]bool) *message {
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		g.mu.Lock()
		g.unparsed++
		g.mu.Unlock()
		return nil
	}
	var body struct {
		ID string `json:"id"`
	}
	tracked := g.opt.track[m.Kind]
	if tracked && len(m.Body) > 0 {
		json.Unmarshal(m.Body, &body)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.messages++
	g.byKind[m.Kind]++
	if m.Kind == "error" {
		g.errs["answer_"+m.Code]++
		g.sample("answer_"+m.Code, string(data))
		return &m
	}
	if m.Channel == "" || m.Seq == nil {
		return &m
	}
	st := states[m.Channel]
	if st == nil {
		st = &channelState{}
		states[m.Channel] = st
	}
	seq := *m.Seq
	switch {
	case m.Kind == "state" || m.Kind == "recovered":
		st.epoch, st.seq, st.have = m.Epoch, seq, true
	case !st.have:
		g.beforeState++
		st.epoch, st.seq, st.have = m.Epoch, seq, true
	case m.Epoch != st.epoch:
		g.epochs++
		st.epoch, st.seq = m.Epoch, seq
	case seq == st.seq+1:
		st.seq = seq
	case seq <= st.seq:
		g.dups++ // a message again: not a notice received again
		return &m
	default:
		g.gaps += seq - st.seq - 1
		st.seq = seq
	}
	if tracked && body.ID != "" {
		if seen[body.ID] {
			g.dupIDs++
			return &m
		}
		seen[body.ID] = true
		n := g.notices[body.ID]
		if n == nil {
			n = &noticeStat{FirstUs: arrival, TsMs: m.Ts, Channel: m.Channel}
			g.notices[body.ID] = n
		}
		n.Count++
		if arrival > n.LastUs {
			n.LastUs = arrival
		}
		if arrival < n.FirstUs {
			n.FirstUs = arrival
		}
	}
	return &m
}
