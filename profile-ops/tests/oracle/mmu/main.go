// Command mmu prints, for each trace given, what `go tool trace`'s /mmu page computes
// (internal/trace's MutatorUtilizationV2 and MMUCurve.MMU) as JSON lines, for
// profile-ops/tests/trace_mmu.rs to compare with.
//
// internal/trace can only be imported from inside GOROOT/src/cmd: the test builds this
// file there through `go build -overlay`, without writing to GOROOT.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"internal/trace"
)

var windows = []int64{1, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 1 << 40}

var flagSets = map[string]trace.UtilFlags{
	"default":         trace.UtilSTW | trace.UtilBackground | trace.UtilAssist,
	"all":             trace.UtilSTW | trace.UtilBackground | trace.UtilAssist | trace.UtilSweep,
	"stw":             trace.UtilSTW,
	"default-perproc": trace.UtilSTW | trace.UtilBackground | trace.UtilAssist | trace.UtilPerProc,
	"all-perproc":     trace.UtilSTW | trace.UtilBackground | trace.UtilAssist | trace.UtilSweep | trace.UtilPerProc,
}

type result struct {
	File  string            `json:"file"`
	Flags string            `json:"flags"`
	Util  [][][2]string     `json:"util"`
	MMU   map[string]string `json:"mmu"`
}

func f(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func main() {
	enc := json.NewEncoder(os.Stdout)
	for _, path := range os.Args[1:] {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		r, err := trace.NewReader(bytes.NewReader(data))
		if err != nil {
			continue
		}
		var events []trace.Event
		for {
			ev, err := r.ReadEvent()
			if err == io.EOF {
				break
			}
			if err != nil {
				events = nil
				break
			}
			events = append(events, ev)
		}
		if events == nil {
			continue
		}
		for name, flags := range flagSets {
			util := trace.MutatorUtilizationV2(events, flags)
			res := result{File: path, Flags: name, MMU: map[string]string{}}
			for _, s := range util {
				var pts [][2]string
				for _, u := range s {
					pts = append(pts, [2]string{strconv.FormatInt(u.Time, 10), f(u.Util)})
				}
				res.Util = append(res.Util, pts)
			}
			if len(util) > 0 {
				curve := trace.NewMMUCurve(util)
				for _, w := range windows {
					res.MMU[strconv.FormatInt(w, 10)] = f(curve.MMU(time.Duration(w)))
				}
			}
			enc.Encode(res)
		}
	}
}
