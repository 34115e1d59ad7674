-- The feed's months close: the last month the county's publishing job wrote as a whole (its
-- burden and its workforce as of that day). When the month turns, the job writes the month
-- that was current again (its final figure, as of its last day) and the new one, so every
-- month from the county's first on the feed to now is in the store, and re-publishing from
-- scratch writes the same months (services/supervision: Publish, Republish, firstMonth).
ALTER TABLE supervision.counties ADD COLUMN months_through text CHECK (months_through ~ '^[0-9]{4}-[0-9]{2}$');
