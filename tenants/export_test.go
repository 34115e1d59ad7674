package tenants

// Unexported pieces the tests in tenants_test reach.
var (
	ChainParts = chainParts
	ChainHash  = chainHash
)
