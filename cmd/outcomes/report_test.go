package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write docs/report.png from the demo report (also OUTCOMES_UPDATE_SCREENSHOT=1)")

// chromiumPath returns the installed Chromium or Chrome, or "" when there is none.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts headless Chromium with the flags a closed network needs (no background
// services that would flood refused connections) and a fresh profile.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("no Chromium installed (apt-get install chromium): the browser test of the report is skipped")
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height))
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// pageEvents records what a page asked the network for and wrote to the console.
type pageEvents struct {
	mu       sync.Mutex
	requests []string
	problems []string
}

func (e *pageEvents) listen(ev any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		e.requests = append(e.requests, ev.Request.URL)
	case *network.EventLoadingFailed:
		e.problems = append(e.problems, "loading failed: "+ev.ErrorText)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == "error" || ev.Type == "warning" || ev.Type == "assert" {
			e.problems = append(e.problems, fmt.Sprintf("console.%s", ev.Type))
		}
	case *runtime.EventExceptionThrown:
		e.problems = append(e.problems, "exception: "+ev.ExceptionDetails.Text)
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
			e.problems = append(e.problems, fmt.Sprintf("log %s: %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text))
		}
	}
}

// demoReport runs the demo at its default size into a temporary directory and returns the
// report's path and the summary it was made from.
func demoReport(t *testing.T) (string, *summary.Summary) {
	t.Helper()
	var out bytes.Buffer
	g := &globalOptions{stdout: &out, stderr: &out, quiet: true}
	dir := filepath.Join(t.TempDir(), "demo")
	o := demoOptions{clients: defaultDemoClients, seed: 1, out: dir}
	if err := runDemo(t.Context(), g, o, genToday); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "reports", "*", "report.html"))
	if len(matches) != 1 {
		t.Fatalf("demo wrote %d reports, want 1:\n%s", len(matches), out.String())
	}
	s, err := summary.Read(filepath.Join(filepath.Dir(matches[0]), summary.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return matches[0], s
}

// TestReportInBrowser opens the demo's report in headless Chromium: no console error, no
// network request besides the file itself, every section present, every plot drawn with a
// size, the headline's numbers those of summary.json, and no horizontal scrolling on a phone.
func TestReportInBrowser(t *testing.T) {
	t.Parallel() // runs subprocesses or waits on them: overlap with the other slow tests
	if chromiumPath() == "" {
		t.Skip("no Chromium installed (apt-get install chromium): the browser test of the report is skipped")
	}
	file, s := demoReport(t)
	url := "file://" + file
	ctx := browser(t, 1000, 1500)
	var ev pageEvents
	if err := chromedp.Listen(ctx, ev.listen); err != nil {
		t.Fatal(err)
	}
	// The listener must see a console error, or the check below proves nothing.
	evaluate[any](t, ctx, `console.error("probe"), 1`)
	ev.mu.Lock()
	if len(ev.problems) != 1 {
		t.Fatalf("the console listener saw %q, want one probe", ev.problems)
	}
	ev.problems = nil
	ev.mu.Unlock()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}

	t.Run("sections", func(t *testing.T) {
		ids := []string{"headline", "safety", "quality", "multiplicity", "methods", "footer"}
		for _, e := range s.Outcomes {
			ids = append(ids, "measure-"+e.Key, "mixed-"+e.Key)
		}
		for _, id := range ids {
			ok := evaluate[bool](t, ctx, fmt.Sprintf(`document.getElementById(%q) !== null`, id))
			if !ok {
				t.Errorf("section #%s is missing", id)
			}
		}
	})
	t.Run("plots", func(t *testing.T) {
		type box struct {
			ID     string
			W, H   float64
			HasSVG bool
		}
		boxes := evaluate[[]box](t, ctx, `Array.from(document.querySelectorAll('figure')).map(f => {
			const s = f.querySelector('svg.plot'); const r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
			return {ID: f.id, W: r.width, H: r.height, HasSVG: !!s}; })`)
		drawn := 0
		for _, b := range boxes {
			if !b.HasSVG {
				t.Logf("figure %s has no plot (its caption says why)", b.ID)
				continue
			}
			drawn++
			if b.W < 100 || b.H < 50 {
				t.Errorf("plot %s is %gx%g px", b.ID, b.W, b.H)
			}
		}
		// Every measure has a trajectory, a change distribution and a forest plot in the demo.
		if want := 3*len(s.Outcomes) + 2; drawn < want {
			t.Errorf("%d plots drawn, want at least %d", drawn, want)
		}
	})
	t.Run("plots keep a margin", func(t *testing.T) {
		// As the browser draws them: no mark or label of a plot reaches its edge (the white
		// background, which fills the plot, is left out).
		touching := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll('svg.plot')).flatMap(s => {
			const r = s.getBoundingClientRect(), id = s.closest('figure').id;
			return Array.from(s.querySelectorAll('text, path, line, rect, circle, polyline')).flatMap(e => {
				const b = e.getBoundingClientRect();
				if (b.width === 0 && b.height === 0) return [];
				if (b.width >= r.width - 1 && b.height >= r.height - 1) return []; // the background
				const inside = b.left >= r.left + 1 && b.right <= r.right - 1 && b.top >= r.top + 1 && b.bottom <= r.bottom - 1;
				return inside ? [] : [id + ': ' + e.tagName + ' ' + (e.textContent || '').slice(0, 20)];
			}); })`)
		for _, m := range touching {
			t.Errorf("touches the plot's edge: %s", m)
		}
	})
	t.Run("confirmatory tests by name", func(t *testing.T) {
		text := evaluate[string](t, ctx, `document.getElementById('multiplicity').innerText`)
		if id := regexp.MustCompile(`\b[a-z0-9_]+\.[a-z_]+\.[a-z_]+\b`).FindString(text); id != "" {
			t.Errorf("the confirmatory tests show the id %q, not a readable name", id)
		}
	})
	t.Run("headline", func(t *testing.T) {
		for key, want := range map[string]int{"clients": s.Population.Clients, "sessions": s.Population.Sessions,
			"practitioners": s.Population.Practitioners, "snapshot": int(s.Snapshot)} {
			got := evaluate[string](t, ctx, fmt.Sprintf(`document.querySelector('#headline [data-key=%q]').innerText`, key))
			if strings.ReplaceAll(got, ",", "") != fmt.Sprint(want) {
				t.Errorf("headline %s = %q, want %d", key, got, want)
			}
		}
		for _, e := range s.Outcomes {
			got := evaluate[string](t, ctx, fmt.Sprintf(`document.querySelector('#headline li[data-measure=%q] .sentence').innerText`, e.Key))
			for _, w := range headlineNumbers(e.Key, e.Value.Course.Overall) {
				if !strings.Contains(got, w) {
					t.Errorf("headline of %s: %q does not contain %q (from summary.json)", e.Key, got, w)
				}
			}
		}
		foot := evaluate[string](t, ctx, `document.getElementById('footer').innerText`)
		for _, w := range []string{s.PlanSHA256, s.ProgramVersion, fmt.Sprint(s.Snapshot)} {
			if !strings.Contains(foot, w) {
				t.Errorf("footer %q does not contain %q", foot, w)
			}
		}
	})
	t.Run("phone", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		overflow := evaluate[float64](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`)
		if overflow > 0 {
			t.Errorf("on a 390 px wide phone the page scrolls sideways by %g px", overflow)
		}
	})
	t.Run("network and console", func(t *testing.T) {
		ev.mu.Lock()
		defer ev.mu.Unlock()
		// The listener must have seen the page itself, or it saw nothing.
		if !slices.Contains(ev.requests, url) {
			t.Errorf("the network listener did not see the page's own request; saw %q", ev.requests)
		}
		for _, r := range ev.requests {
			if r != url {
				t.Errorf("the report requested %s", r)
			}
		}
		for _, p := range ev.problems {
			t.Errorf("browser: %s", p)
		}
	})
	if *updateScreenshot || os.Getenv("OUTCOMES_UPDATE_SCREENSHOT") == "1" {
		writeScreenshot(t, url)
	}
}

// headlineNumbers returns the numbers of a course block that the headline must show, formatted
// here from summary.json independently of the report's code.
func headlineNumbers(measure string, b *summary.PairedBlock) []string {
	dec := 1
	if measure == "mymop_profile" {
		dec = 2
	}
	f := func(x summary.Float) string {
		s := fmt.Sprintf("%.*f", dec, float64(x))
		if strings.Trim(s, "-0.") == "" {
			s = strings.TrimPrefix(s, "-")
		}
		return strings.Replace(s, "-", "−", 1)
	}
	out := []string{fmt.Sprintf("in %s clients", commaInt(b.N))}
	m, lo, hi := b.MeanChange, b.CILow, b.CIHigh
	switch {
	case hi < 0:
		out = append(out, "fell by "+f(-m), fmt.Sprintf("(95%% CI %s to %s", f(-hi), f(-lo)))
	case lo > 0:
		out = append(out, "rose by "+f(m), fmt.Sprintf("(95%% CI %s to %s", f(lo), f(hi)))
	default:
		out = append(out, "changed by "+f(m), fmt.Sprintf("(95%% CI %s to %s", f(lo), f(hi)))
	}
	if b.ResponderShare.Valid() {
		out = append(out, fmt.Sprintf("; %.0f%% ", 100*math.Round(float64(b.ResponderShare)*1e6)/1e6),
			fmt.Sprintf("(95%% CI %.0f%% to %.0f%%)", 100*float64(b.ResponderCILow), 100*float64(b.ResponderCIHigh)))
	} else {
		out = append(out, b.ResponderUndefinedReason)
	}
	return out
}

func commaInt(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// evaluate runs a JavaScript expression in the page and decodes its value.
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// writeScreenshot writes docs/report.png: the top of the report in a desktop window.
func writeScreenshot(t *testing.T, url string) {
	ctx := browser(t, 1000, 1700)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", "report.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote docs/report.png (%d bytes)", len(png))
}

// TestNotebooksInBrowser runs the three example notebooks over a demo lake and opens each
// HTML in headless Chromium: no console error, no network request besides the file itself,
// every chart drawn with a size, and a table for every cell that shows one.
func TestNotebooksInBrowser(t *testing.T) {
	t.Parallel() // runs subprocesses or waits on them: overlap with the other slow tests
	if chromiumPath() == "" {
		t.Skip("no Chromium installed (apt-get install chromium): the browser test of the notebooks is skipped")
	}
	var out bytes.Buffer
	g := &globalOptions{stdout: &out, stderr: &out, quiet: true}
	dir := filepath.Join(t.TempDir(), "demo")
	if err := runDemo(t.Context(), g, demoOptions{clients: 400, seed: 2, out: dir}, genToday); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	notebooks, err := filepath.Glob(filepath.Join("..", "..", "notebooks", "*.md"))
	if err != nil || len(notebooks) < 3 {
		t.Fatalf("example notebooks: %v, %v", notebooks, err)
	}
	ctx := browser(t, 1000, 1500)
	for _, nb := range notebooks {
		t.Run(filepath.Base(nb), func(t *testing.T) {
			html := filepath.Join(t.TempDir(), "out.html")
			if code, msg := runOutcomes("--workspace", dir, "notebook", "run", nb, "-o", html); code != 0 {
				t.Fatalf("notebook run: exit %d\n%s", code, msg)
			}
			tctx, cancel := chromedp.NewContext(ctx)
			defer cancel()
			var ev pageEvents
			if err := chromedp.Listen(tctx, ev.listen); err != nil {
				t.Fatal(err)
			}
			url := "file://" + html
			if err := chromedp.Do(tctx, chromedp.Navigate(url)); err != nil {
				t.Fatal(err)
			}
			type box struct{ W, H float64 }
			charts := evaluate[[]box](t, tctx, `Array.from(document.querySelectorAll('section.cell figure svg')).map(s => {
				const r = s.getBoundingClientRect(); return {W: r.width, H: r.height}; })`)
			if len(charts) == 0 {
				t.Errorf("no chart drawn")
			}
			for i, b := range charts {
				if b.W < 100 || b.H < 50 {
					t.Errorf("chart %d is %gx%g px", i, b.W, b.H)
				}
			}
			if n := evaluate[int](t, tctx, `document.querySelectorAll('section.cell table tbody tr').length`); n == 0 {
				t.Errorf("no result rows shown")
			}
			ev.mu.Lock()
			defer ev.mu.Unlock()
			if !slices.Contains(ev.requests, url) {
				t.Errorf("the network listener did not see the page's own request; saw %q", ev.requests)
			}
			for _, r := range ev.requests {
				if r != url {
					t.Errorf("the notebook requested %s", r)
				}
			}
			for _, p := range ev.problems {
				t.Errorf("browser: %s", p)
			}
		})
	}
}
