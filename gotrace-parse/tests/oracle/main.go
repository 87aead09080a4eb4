// Command gotrace-lines reads a Go execution trace with golang.org/x/exp/trace and prints
// every event in the canonical one-line format of gotrace-parse's `text::line`, so the two
// readers can be compared line by line. A read error is printed as a final line
// "ERROR <message>" (exit status 0), since the events before it are part of the answer.
//
// With -gen DIR it instead writes small traces from scenario programs (goroutines,
// channels, mutexes, syscalls, GC, user annotations, iter.Pull coroutines, the flight
// recorder) into DIR, at GOMAXPROCS 1 and 4.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/exp/trace"
)

func quote(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(b, "\\x%02x", c)
		}
	}
	b.WriteByte('"')
}

func stack(b *strings.Builder, s trace.Stack) {
	b.WriteByte('[')
	i := 0
	for f := range s.Frames() {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(b, "%#x ", f.PC)
		quote(b, f.Func)
		b.WriteByte(' ')
		quote(b, f.File)
		fmt.Fprintf(b, ":%d", f.Line)
		i++
	}
	b.WriteByte(']')
}

func resource(r trace.ResourceID) string {
	switch r.Kind {
	case trace.ResourceGoroutine:
		return fmt.Sprintf("Goroutine(%d)", r.Goroutine())
	case trace.ResourceProc:
		return fmt.Sprintf("Proc(%d)", r.Proc())
	case trace.ResourceThread:
		return fmt.Sprintf("Thread(%d)", r.Thread())
	}
	return "None"
}

func u64(v trace.Value) string {
	if v.Kind() == trace.ValueUint64 {
		return strconv.FormatUint(v.Uint64(), 10)
	}
	return v.String()
}

func line(ev trace.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s M=%d P=%d G=%d", ev.Time(), ev.Kind(), ev.Thread(), ev.Proc(), ev.Goroutine())
	switch ev.Kind() {
	case trace.EventSync:
		s := ev.Sync()
		fmt.Fprintf(&b, " N=%d", s.N)
		if s.ClockSnapshot != nil {
			c := s.ClockSnapshot
			fmt.Fprintf(&b, " clock=%d mono=%d wall=%d.%09d", c.Trace, c.Mono, c.Wall.Unix(), c.Wall.Nanosecond())
		}
		n := 0
		for _, bs := range s.ExperimentalBatches {
			n += len(bs)
		}
		fmt.Fprintf(&b, " expbatches=%d", n)
	case trace.EventMetric:
		m := ev.Metric()
		fmt.Fprintf(&b, " name=%s value=%s", m.Name, u64(m.Value))
	case trace.EventLabel:
		l := ev.Label()
		b.WriteString(" label=")
		quote(&b, l.Label)
		fmt.Fprintf(&b, " resource=%s", resource(l.Resource))
	case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
		r := ev.Range()
		b.WriteString(" name=")
		quote(&b, r.Name)
		fmt.Fprintf(&b, " scope=%s", resource(r.Scope))
		if ev.Kind() == trace.EventRangeEnd {
			b.WriteString(" attrs=[")
			for i, a := range ev.RangeAttributes() {
				if i > 0 {
					b.WriteByte(';')
				}
				fmt.Fprintf(&b, "%s=%s", a.Name, u64(a.Value))
			}
			b.WriteByte(']')
		}
	case trace.EventTaskBegin, trace.EventTaskEnd:
		t := ev.Task()
		fmt.Fprintf(&b, " id=%d parent=%d type=", t.ID, t.Parent)
		quote(&b, t.Type)
	case trace.EventRegionBegin, trace.EventRegionEnd:
		r := ev.Region()
		fmt.Fprintf(&b, " task=%d type=", r.Task)
		quote(&b, r.Type)
	case trace.EventLog:
		l := ev.Log()
		fmt.Fprintf(&b, " task=%d category=", l.Task)
		quote(&b, l.Category)
		b.WriteString(" message=")
		quote(&b, l.Message)
	case trace.EventStateTransition:
		s := ev.StateTransition()
		fmt.Fprintf(&b, " resource=%s ", resource(s.Resource))
		switch s.Resource.Kind {
		case trace.ResourceGoroutine:
			from, to := s.Goroutine()
			fmt.Fprintf(&b, "%s->%s", from, to)
		case trace.ResourceProc:
			from, to := s.Proc()
			fmt.Fprintf(&b, "%s->%s", from, to)
		}
		b.WriteString(" reason=")
		quote(&b, s.Reason)
		b.WriteString(" tstack=")
		stack(&b, s.Stack)
	case trace.EventExperimental:
		x := ev.Experimental()
		fmt.Fprintf(&b, " name=%s experiment=%s args=[", x.Name, x.Experiment)
		for i, a := range x.Args {
			if i > 0 {
				b.WriteByte(';')
			}
			fmt.Fprintf(&b, "%s=%s", a, u64(x.ArgValue(i)))
		}
		b.WriteByte(']')
	}
	b.WriteString(" stack=")
	stack(&b, ev.Stack())
	return b.String()
}

func dump(path string, w *bufio.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := trace.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		fmt.Fprintf(w, "ERROR %s\n", err)
		return nil
	}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			fmt.Fprintf(w, "ERROR %s\n", err)
			return nil
		}
		w.WriteString(line(ev))
		w.WriteByte('\n')
	}
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-gen" {
		if err := generate(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "-scenario" {
		runScenario(os.Args[2])
		return
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gotrace-lines TRACE | -gen DIR")
		os.Exit(2)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	if err := dump(os.Args[1], w); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
