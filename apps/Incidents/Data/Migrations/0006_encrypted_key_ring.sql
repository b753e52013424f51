-- The Data Protection key ring is encrypted from now on (Incidents:KeyEncryptionKeyFile). Keys written before were
-- stored in clear: whoever read this table could mint a responder's cookie. They are dropped; the service makes a new,
-- encrypted key at start (people log in once more, open forms are re-sent once).
DELETE FROM data_protection_keys WHERE xml LIKE '%<masterKey%' AND xml NOT LIKE '%encryptedSecret%';
