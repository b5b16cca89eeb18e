-- Account settings: an owner may require two-factor authentication of every user. A user
-- without it then signs in to set it up, and can do nothing else until it is on.
ALTER TABLE accounts ADD COLUMN require_two_factor boolean NOT NULL DEFAULT false;
