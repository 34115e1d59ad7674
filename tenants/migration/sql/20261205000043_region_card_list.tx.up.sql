-- The region's cards list (supervision.RegionCards: open and red first, newest first, at most
-- 500) read in the list's order instead of sorting every card of the region: at a province's
-- size (30,000 cards for 10,000,000 applications) the sort read them all, each through the
-- region policy, for 500 rows. The index is the list's ORDER BY. It does not lead with
-- tenant_id because the list crosses counties by design (a region's read of the store); on
-- Citus each shard keeps its own and the coordinator merges their first rows.
CREATE INDEX supervision_cards_list ON supervision.cards (((colour = 'red')) DESC, raised_on DESC, id);

-- The dashboards count the cards raised in their period (supervision.countCards): a year of a
-- province's five is read by date, not every card.
CREATE INDEX supervision_cards_raised ON supervision.cards (raised_on);
