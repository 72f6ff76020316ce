package dockertest

// SetMaxBody lowers the size of a body the server holds whole, for a test;
// the returned func restores it.
func SetMaxBody(n int64) (restore func()) {
	old := maxBody
	maxBody = n
	return func() { maxBody = old }
}

// SetMaxRecorded lowers how much of an answer a recording keeps, for a
// test; the returned func restores it.
func SetMaxRecorded(n int) (restore func()) {
	old := maxRecorded
	maxRecorded = n
	return func() { maxRecorded = old }
}
