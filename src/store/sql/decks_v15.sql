-- Version 15: decks for presenting. A deck is an ordered list of slides kept as JSON, each
-- slide a saved view with its title, caption, notes and the content it showed when it was
-- made (frozen: a meeting sees the numbers of the data the deck was made with).

CREATE SEQUENCE deck_seq START 1;

CREATE TABLE decks (
  deck_id BIGINT PRIMARY KEY,
  name VARCHAR NOT NULL,
  made_at TIMESTAMP NOT NULL,
  made_by VARCHAR NOT NULL,
  slides VARCHAR NOT NULL            -- JSON array of slides (presenter/deck.rs)
);
