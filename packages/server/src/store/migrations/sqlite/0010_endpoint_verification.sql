-- The ownership challenge in a platform's own shape (issue 13): the request
-- to send and the answer's field, as JSON text. NULL keeps Herald's own
-- challenge, so every endpoint stored before this version behaves as it did.
ALTER TABLE endpoints ADD COLUMN verification TEXT;
