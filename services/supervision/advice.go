package supervision

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/notice"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// RegionCardRules are the rules in force for the counties under the region of ctx: its own,
// or the nearest region's up its path, or the defaults (Default true).
func RegionCardRules(ctx context.Context) (CardRules, error) {
	rt, ok := tenants.RegionFrom(ctx)
	if !ok {
		return CardRules{}, errors.New("supervision: RegionCardRules outside a region transaction")
	}
	r, err := rulesFor(ctx, tenants.RegionDB(ctx), rt.Path)
	return r, err
}

// PutRegionCardRules stores the region's own rules (its supervisor's setting); the counties'
// cards follow them from their next evaluation.
func PutRegionCardRules(ctx context.Context, r CardRules) (CardRules, error) {
	rt, ok := tenants.RegionFrom(ctx)
	if !ok {
		return CardRules{}, errors.New("supervision: PutRegionCardRules outside a region transaction")
	}
	if err := r.Check(); err != nil {
		return CardRules{}, err
	}
	r.RegionCode, r.RegionPath, r.UpdatedAt, r.Default = rt.Code, rt.Path, time.Now(), false
	_, err := tenants.RegionDB(ctx).NewInsert().Model(&r).On("CONFLICT (region_code) DO UPDATE").
		Set("red_after_days = EXCLUDED.red_after_days, refusal_colour = EXCLUDED.refusal_colour, corrections_colour = EXCLUDED.corrections_colour, callback_colour = EXCLUDED.callback_colour, updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	return r, err
}

// Advice renders the 监察建议书 for one county of the region of ctx: its cards not closed, with
// their orders, numbered by region, county and date.
func (s *Service) Advice(ctx context.Context, county uuid.UUID) ([]byte, string, error) {
	rt, ok := tenants.RegionFrom(ctx)
	if !ok {
		return nil, "", errors.New("supervision: Advice outside a region transaction")
	}
	db := tenants.RegionDB(ctx)
	c := new(County)
	if err := db.NewSelect().Model(c).Where("tenant_id = ? AND region_path LIKE ?", county, tenants.EscapeLike(rt.Path)+"%").Scan(ctx); errors.Is(err, sql.ErrNoRows) {
		return nil, "", errNotFound
	} else if err != nil {
		return nil, "", err
	}
	region := new(Region)
	if err := db.NewSelect().Model(region).Where("code = ?", rt.Code).Scan(ctx); err != nil {
		return nil, "", err
	}
	cards, err := RegionCards(ctx, CardFilter{County: county})
	if err != nil {
		return nil, "", err
	}
	today := clock.Today(s.clock())
	// The number: the issuing region, the year, the county (its GB/T 2260 code, or its tenant
	// code when it has none) and the day; one advice per county and day.
	ref := c.RegionCode
	if ref == "" {
		ref = c.Code
	}
	a := notice.Advice{Number: fmt.Sprintf("%s监建〔%d〕%s-%02d%02d号", rt.Code, today.Year, ref, int(today.Month), today.Day),
		IssuedOn: today, Issuer: region.Name, County: c.Name}
	for _, k := range cards {
		if k.Status == StatusClosed {
			continue
		}
		order := StatusLabels[k.Status]
		if k.Order != nil && k.Status != StatusClosed {
			order += "，" + k.Order.DueOn.Format("2006-01-02") + "前回复"
		}
		a.Lines = append(a.Lines, notice.AdviceLine{Colour: ColourLabels[k.Colour], Rule: RuleLabels[k.Rule], Township: k.Township,
			Department: k.Department, Item: k.ItemName, RaisedOn: workday.DateOf(k.RaisedOn.UTC()), Order: order})
	}
	pdf, err := notice.RenderAdvice(a)
	name := strings.NewReplacer("〔", "-", "〕", "-").Replace(a.Number)
	return pdf, name, err
}
