//go:build !unix

package source

// openNonBlock is 0 where there are no FIFOs to open without blocking.
const openNonBlock = 0
