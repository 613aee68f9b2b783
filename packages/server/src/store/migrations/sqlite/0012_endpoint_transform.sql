-- Transformations (issue 13): the endpoint's JavaScript source, run in the
-- sandbox before each request. NULL sends the webhook as rendered, so every
-- endpoint stored before this version behaves as it did.
ALTER TABLE endpoints ADD COLUMN transform TEXT;
