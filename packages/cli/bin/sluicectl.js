#!/usr/bin/env node
// The committed bin target: npm links and marks it executable at install time, before dist/ exists,
// so neither the build nor a turbo cache restore can leave the command without its exec bit.
import '../dist/main.js';
