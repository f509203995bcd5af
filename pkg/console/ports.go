package console

// Ops are the operator operations the console calls (package ops serves
// them to the admin API too).
type Ops interface{}
