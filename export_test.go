package deltastream

// SetFirstAnswerBuffer lowers the cap on the rows of a first answer set
// aside before its columns are known, for a test; it returns the function
// that restores it. Not for parallel tests.
func SetFirstAnswerBuffer(n int) (restore func()) {
	old := firstAnswerBuffer
	firstAnswerBuffer = n
	return func() { firstAnswerBuffer = old }
}
