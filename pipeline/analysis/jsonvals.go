package analysis

func intp(n int) *int { return &n }
