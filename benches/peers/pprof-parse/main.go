// Command pprof-parse times github.com/google/pprof/profile.ParseData on the files given,
// the peer of gprofops' decoder in scripts/bench-pprof-decode.sh.
//
//	pprof-parse [-min-time 2s] FILE...
//	pprof-parse -merge [-min-time 2s] FILE...
//
// With -merge it parses every file once, then times profile.Merge of all of them and
// prints "go-merge FILES ITERATIONS SECONDS_PER_MERGE PEAK_RSS_DELTA_BYTES".
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
	mergeMode := flag.Bool("merge", false, "time profile.Merge of all files instead of parsing each")
	flag.Parse()
	if *mergeMode {
		timeMerge(flag.Args(), *minTime)
		return
	}
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

func timeMerge(paths []string, minTime time.Duration) {
	var profs []*profile.Profile
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		p, err := profile.ParseData(data)
		if err != nil {
			fmt.Fprintln(os.Stderr, path, err)
			os.Exit(2)
		}
		profs = append(profs, p)
	}
	runtime.GC()
	debug.FreeOSMemory()
	before := vmHWM()
	m, err := profile.Merge(profs)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	peak := vmHWM() - before
	runtime.KeepAlive(m)
	n := 0
	start := time.Now()
	for time.Since(start) < minTime {
		if _, err := profile.Merge(profs); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		n++
	}
	per := time.Since(start).Seconds() / float64(n)
	fmt.Printf("go-merge %d %d %.9f %d\n", len(paths), n, per, peak)
}
