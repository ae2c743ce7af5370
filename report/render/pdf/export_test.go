package pdf

// SetBreakHook lets the external tests hear the words a table breaks
// between characters; nil turns it off.
func SetBreakHook(f func(word, header string)) { breakHook = f }

// SetFillHook lets the external tests hear how much work each table's fill
// did and whether its budget stopped it; nil turns it off.
func SetFillHook(f func(work int, stopped bool)) { fillHook = f }
