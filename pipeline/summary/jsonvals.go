package summary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Float is a number of summary.json: written with strconv.FormatFloat(x, 'g', -1, 64), the
// shortest text that reads back as the same float64; NaN and ±Inf (an undefined statistic)
// are written as null, and null reads back as NaN.
type Float float64

// Null is the undefined Float.
var Null = Float(math.NaN())

// Valid reports whether f is a finite number (not null).
func (f Float) Valid() bool { return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) }

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	if !f.Valid() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(f), 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Null
		return nil
	}
	x, err := strconv.ParseFloat(string(b), 64)
	*f = Float(x)
	return err
}

// String formats f as in summary.json, with "" for null (the CSV tables' empty field).
func (f Float) String() string {
	if !f.Valid() {
		return ""
	}
	return strconv.FormatFloat(float64(f), 'g', -1, 64)
}

// Entry is one key and value of an Ordered object.
type Entry[T any] struct {
	Key   string
	Value T
}

// Ordered is a JSON object whose keys keep the order of the slice (summary.json lists
// subgroup levels sorted by byte order and outcomes in the plan's fixed order). It reads back
// in file order.
type Ordered[T any] []Entry[T]

// Get returns the value of key and whether it is present.
func (o Ordered[T]) Get(key string) (T, bool) {
	for _, e := range o {
		if e.Key == key {
			return e.Value, true
		}
	}
	var zero T
	return zero, false
}

// MarshalJSON implements json.Marshaler.
func (o Ordered[T]) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(e.Key)
		if err != nil {
			return nil, err
		}
		v, err := marshal(e.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON implements json.Unmarshaler, keeping the keys' order.
func (o *Ordered[T]) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t == nil {
		*o = nil
		return nil
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("analysis: want a JSON object, got %v", t)
	}
	*o = Ordered[T]{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var e Entry[T]
		e.Key = t.(string)
		if err := dec.Decode(&e.Value); err != nil {
			return err
		}
		*o = append(*o, e)
	}
	_, err = dec.Token()
	return err
}

// marshal is json.Marshal without HTML escaping (summary.json holds "<" in method texts).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
