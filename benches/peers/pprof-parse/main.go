// Command pprof-parse times github.com/google/pprof/profile.ParseData on the files given,
// the peer of gprofops' decoder in scripts/bench-pprof-decode.sh.
//
//	pprof-parse [-min-time 2s] FILE...
//
// For each file it prints one line: "go FILE BYTES ITERATIONS SECONDS_PER_PARSE PEAK_RSS_DELTA_BYTES".
// Peak RSS is measured around a first, single parse (VmHWM from /proc/self/status).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "VmHWM:") {
			fs := strings.Fields(s.Text())
			kb, _ := strconv.ParseInt(fs[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func main() {
	minTime := flag.Duration("min-time", 2*time.Second, "keep parsing each file for at least this long")
	flag.Parse()
	for _, path := range flag.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		runtime.GC()
		debug.FreeOSMemory()
		before := vmHWM()
		p, err := profile.ParseData(data)
		if err != nil {
			fmt.Fprintln(os.Stderr, path, err)
			os.Exit(2)
		}
		peak := vmHWM() - before
		runtime.KeepAlive(p)
		p = nil
		n := 0
		start := time.Now()
		for time.Since(start) < *minTime {
			if _, err := profile.ParseData(data); err != nil {
				fmt.Fprintln(os.Stderr, path, err)
				os.Exit(2)
			}
			n++
		}
		per := time.Since(start).Seconds() / float64(n)
		fmt.Printf("go %s %d %d %.9f %d\n", path, len(data), n, per, peak)
	}
}
