#!/bin/sh
# Runs ${{ values.name }} and restarts it when a file changes.
exec node --watch src/index.js
