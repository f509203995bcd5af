package schemas

import "embed"

// FS holds every *.avsc file of this directory.
//
//go:embed *.avsc
var FS embed.FS
