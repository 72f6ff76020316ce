package dockertest

// SetMaxBody lowers the size of a body the server holds whole, for a test;
// the returned func restores it.
func SetMaxBody(n int64) (restore func()) {
	old := maxBody
	maxBody = n
	return func() { maxBody = old }
}
