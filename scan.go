package deltastream

import "github.com/deltastream-go/deltastream/internal/types"

// JSON scans a column holding JSON text (ARRAY, MAP, STRUCT, MULTISET,
// ROW) into a Go value of type T with encoding/json:
//
//	var tags deltastream.JSON[[]string]
//	err := row.Scan(&tags) // ARRAY<VARCHAR>
//	if tags.Valid { use(tags.V) }
//
// A NULL leaves V at its zero value and Valid false. JSON also implements
// driver.Valuer, so it can be passed as an argument (rendered as a string
// literal holding the JSON text).
type JSON[T any] = types.JSON[T]
