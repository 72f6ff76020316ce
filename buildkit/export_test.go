package buildkit

// StartSSHAgent is for the tests against a daemon, in package buildkit_test.
var StartSSHAgent = startSSHAgent
