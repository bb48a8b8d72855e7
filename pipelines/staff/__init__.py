"""The staff domain: accounts, jobs, uploads, curation, versions, audit, changes, files, relation edits, transfer."""
