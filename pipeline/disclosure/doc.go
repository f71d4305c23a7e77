// Package disclosure applies statistical disclosure control to the tables of the public
// bundle (DESIGN.md section 7): primary and secondary cell suppression, an audit by linear
// programming, and the published CSV form.
package disclosure
