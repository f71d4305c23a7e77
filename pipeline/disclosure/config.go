package disclosure

import (
	"errors"
	"fmt"
)

// Sentinel errors; functions wrap them with detail, so callers branch with errors.Is.
var (
	// ErrConfig: a configuration value is out of range (a threshold below 3, ...).
	ErrConfig = errors.New("disclosure: bad configuration")
	// ErrTable: a table is malformed (duplicate or reserved level name, unknown level, a
	// negative count, a statistic on a cell that does not exist).
	ErrTable = errors.New("disclosure: bad table")
	// ErrInconsistent: the counts break a table constraint (a total that is not the sum of its
	// parts, or two tables that disagree on a shared cell).
	ErrInconsistent = errors.New("disclosure: inconsistent counts")
	// ErrUnsafe: the audit found a suppressed cell whose feasible interval is narrower than the
	// protection asked for.
	ErrUnsafe = errors.New("disclosure: audit failed")
	// ErrForbidden: a table carries something that may never be published: a key column, a
	// value that looks like a pseudonymous key, a date finer than allowed, or free text.
	ErrForbidden = errors.New("disclosure: forbidden content")
	// ErrSolver: a linear program could not be solved (numerical failure); the table is not
	// declared safe.
	ErrSolver = errors.New("disclosure: linear program failed")
)

// DefaultMinCell is the project's threshold (measures.json disclosure_control.project_default:
// min_individuals_per_published_cell and suppress_statistics_when_n_below).
const DefaultMinCell = 10

// LowestMinCell is the lowest threshold accepted.
const LowestMinCell = 3

// Date granularities accepted by [Config.DateGranularity], coarsest first.
const (
	Year    = "year"
	Quarter = "quarter"
	Month   = "month"
)

// Config is the disclosure rule. The zero value is the project default.
type Config struct {
	// MinCell is the threshold: a count 1..MinCell-1 is suppressed, and so is every statistic
	// computed from fewer than MinCell clients. 0 means [DefaultMinCell]; below
	// [LowestMinCell] is refused.
	MinCell int
	// Protection is the protection level P (see the package documentation). 0 means
	// ceil(MinCell/2); it must be at least 1.
	Protection int
	// SuppressZeros treats a zero count as sensitive too. measures.json says a zero may be
	// shown (zero_may_be_shown: true), so the default is false.
	SuppressZeros bool
	// DateGranularity is the finest period a level name may name: "year" (the default,
	// measures.json session_date.publish_granularity_default), "quarter", or "month" (the
	// finest ever allowed). Day-level dates are always refused.
	DateGranularity string
}

// resolve returns c with its defaults filled in, or an error naming the bad field.
func (c Config) resolve() (Config, error) {
	if c.MinCell == 0 {
		c.MinCell = DefaultMinCell
	}
	if c.MinCell < LowestMinCell {
		return c, fmt.Errorf("%w: min_cell is %d; allowed: %d or more", ErrConfig, c.MinCell, LowestMinCell)
	}
	if c.Protection == 0 {
		c.Protection = (c.MinCell + 1) / 2
	}
	if c.Protection < 1 {
		return c, fmt.Errorf("%w: protection is %d; allowed: 1 or more", ErrConfig, c.Protection)
	}
	switch c.DateGranularity {
	case "":
		c.DateGranularity = Year
	case Year, Quarter, Month:
	default:
		return c, fmt.Errorf("%w: date granularity is %q; allowed: year, quarter, month", ErrConfig, c.DateGranularity)
	}
	return c, nil
}
