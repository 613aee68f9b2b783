-- Destinations beyond HTTP (issue 15): a broker endpoint's options (exchange
-- and routing key, subject, topic and QoS, stream) as JSON. NULL for http(s)
-- endpoints, so every endpoint stored before this version behaves as it did.
ALTER TABLE endpoints ADD COLUMN destination TEXT;
