// loadgen: a closed-loop HTTP load generator for `rstat bench api`; `loadgen live ...` is the WebSocket
// client of `rstat bench live` (live.go).
//
// N workers each send GET requests back to back (keep-alive) for a fixed duration and record every
// latency; it prints one JSON object: requests, errors (non-2xx/3xx or transport), rps, p50/p99/max ms.
// Written in Go rather than Python so that the generator costs a fraction of the server it measures on a
// 2-core machine.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
)

type result struct {
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "live" {
		os.Exit(runLive(os.Args[2:]))
	}
	url := flag.String("url", "", "URL to GET")
	token := flag.String("token", "", "bearer token")
	concurrency := flag.Int("c", 32, "concurrent connections")
	duration := flag.Duration("d", 10*time.Second, "how long to send requests")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -url is required")
		os.Exit(2)
	}
	transport := &http.Transport{MaxIdleConnsPerHost: *concurrency, MaxConnsPerHost: *concurrency}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	var mu sync.Mutex
	var latencies []time.Duration
	errors := 0
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < *concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			bad := 0
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest("GET", *url, nil)
				req.Header.Set("Authorization", "Bearer "+*token)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					bad++
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 400 {
					bad++
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			errors += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	ms := func(q float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		idx := int(q * float64(len(latencies)-1))
		return float64(latencies[idx].Microseconds()) / 1000
	}
	out := result{
		Requests: len(latencies),
		Errors:   errors,
		RPS:      float64(len(latencies)) / elapsed,
		P50ms:    ms(0.50),
		P99ms:    ms(0.99),
		MaxMs:    ms(1.0),
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
