-- The entries of one stream type in log order: what start-up reads to rebuild the
-- registry (the actors', institutions' and associations' streams, and the streams whose
-- entries after the cross-stream facts' snapshot it applies), without reading past the
-- entries of every other type in between.
CREATE INDEX events_by_type ON events (aggregate_type, log_index);
