package status

import (
	"context"
	"sort"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Indicator is one row of the 好差评 indicators (国办发〔2019〕51号).
type Indicator struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Events int    `json:"events" doc:"service events that ended in the period: 办结, 不予受理 or 撤回"`
	Rated  int    `json:"rated"`
	Good   int    `json:"good" doc:"好评: ratings at or above the county's good_min_score (default 基本满意)"`
	Bad    int    `json:"bad" doc:"差评: 不满意 or 非常不满意"`
	Active int    `json:"active" doc:"ratings the resident gave (not by the default rule)"`
	// ActiveGood are the active ratings that are good.
	ActiveGood int `json:"active_good"`
	// GoodRate is 好评率 = good / rated; ActiveGoodRate 主动评价好评率 = active good / active;
	// UnratedRate 未评价率 = unrated events / events. 0 when the denominator is 0.
	GoodRate       float64 `json:"good_rate"`
	ActiveGoodRate float64 `json:"active_good_rate"`
	UnratedRate    float64 `json:"unrated_rate"`
}

// Indicators are the indicators per hall, township, item and clerk, and the total.
type Report struct {
	From       workday.Date `json:"from"`
	To         workday.Date `json:"to"`
	Total      Indicator    `json:"total"`
	ByHall     []Indicator  `json:"by_hall"`
	ByTownship []Indicator  `json:"by_township"`
	ByItem     []Indicator  `json:"by_item"`
	ByClerk    []Indicator  `json:"by_clerk"`

	// GoodMinScore and GoodLevels are the county's rule the report counted 好评 by.
	GoodMinScore int    `json:"good_min_score"`
	GoodLevels   string `json:"good_levels" doc:"the levels counted as 好评, e.g. 非常满意、满意、基本满意"`
}

type event struct {
	ID         uuid.UUID  `bun:"id"`
	ItemID     uuid.UUID  `bun:"item_id"`
	ItemName   string     `bun:"item_name"`
	HallID     uuid.UUID  `bun:"hall_id"`
	HallName   string     `bun:"hall_name"`
	Township   string     `bun:"township"`
	TownshipID uuid.UUID  `bun:"township_id"`
	Score      *int       `bun:"score"`
	Source     *string    `bun:"source"`
	ClerkID    *uuid.UUID `bun:"clerk_id"`
	ClerkName  *string    `bun:"clerk_name"`
}

// Compute counts the service events that ended from..to — 办结, 不予受理 and 撤回 alike, each
// one event (一事一评) — and their first-round ratings, 好评 by the county's rule.
func Compute(ctx context.Context, from, to workday.Date) (*Report, error) {
	st, err := GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	var evs []event
	err = tenants.DB(ctx).NewSelect().TableExpr("applications AS a").Where("a.tenant_id = ?", tenants.CurrentID(ctx)).
		ColumnExpr("a.id, a.item_id, a.item_name, a.hall_id, h.name AS hall_name, coalesce(t.name, h.name) AS township, coalesce(t.id, h.id) AS township_id").
		ColumnExpr("r.score, r.source, r.clerk_id, ? AS clerk_name", tenants.MemberName(ctx, "r.clerk_id")).
		Join("JOIN org_units AS h ON h.tenant_id = a.tenant_id AND h.id = a.hall_id").
		Join("LEFT JOIN org_units AS t ON t.tenant_id = h.tenant_id AND t.id = h.parent_id AND t.kind IN ('township', 'street')").
		Join("LEFT JOIN ratings AS r ON r.tenant_id = a.tenant_id AND r.application_id = a.id AND r.round = 1").
		Where("a.state IN (?) AND "+endedOn+" BETWEEN ? AND ?", bun.In(endedStates), from, to).Scan(ctx, &evs)
	if err != nil {
		return nil, err
	}
	rep := &Report{From: from, To: to, GoodMinScore: st.GoodMinScore, GoodLevels: GoodLevels(st.GoodMinScore)}
	hall, town, item, clerk := map[string]*Indicator{}, map[string]*Indicator{}, map[string]*Indicator{}, map[string]*Indicator{}
	add := func(m map[string]*Indicator, key, label string, e event) {
		if m[key] == nil {
			m[key] = &Indicator{Key: key, Label: label}
		}
		count(m[key], e, st)
	}
	for _, e := range evs {
		count(&rep.Total, e, st)
		add(hall, e.HallID.String(), e.HallName, e)
		// A hall is a township's or street's own unit in the demo and most counties; its
		// parent (if a township) is where the township total goes.
		add(town, e.TownshipID.String(), e.Township, e)
		add(item, e.ItemID.String(), e.ItemName, e)
		if e.ClerkID != nil {
			name := ""
			if e.ClerkName != nil {
				name = *e.ClerkName
			}
			add(clerk, e.ClerkID.String(), name, e)
		}
	}
	rep.Total.Label = "合计"
	finish(&rep.Total)
	rep.ByHall, rep.ByTownship, rep.ByItem, rep.ByClerk = flat(hall), flat(town), flat(item), flat(clerk)
	return rep, nil
}

func count(in *Indicator, e event, st *Settings) {
	in.Events++
	if e.Score == nil {
		return
	}
	in.Rated++
	good := st.Good(*e.Score)
	if good {
		in.Good++
	}
	if Bad(*e.Score) {
		in.Bad++
	}
	if e.Source != nil && *e.Source == "active" {
		in.Active++
		if good {
			in.ActiveGood++
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(int(float64(a)/float64(b)*10000+0.5)) / 10000
}

func finish(in *Indicator) {
	in.GoodRate, in.ActiveGoodRate, in.UnratedRate = ratio(in.Good, in.Rated), ratio(in.ActiveGood, in.Active), ratio(in.Events-in.Rated, in.Events)
}

func flat(m map[string]*Indicator) []Indicator {
	out := make([]Indicator, 0, len(m))
	for _, in := range m {
		finish(in)
		out = append(out, *in)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Events != out[j].Events {
			return out[i].Events > out[j].Events
		}
		return out[i].Label < out[j].Label
	})
	return out
}
