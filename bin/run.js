#!/usr/bin/env node
// The installed `faultline` command. The Node.js version is checked before anything else loads,
// in syntax old Node.js versions still parse, so an old Node prints one line instead of a
// syntax error from deep inside a dependency.
var required = '20.18.1'

function older(version, than) {
  var a = version.split('.').map(Number)
  var b = than.split('.').map(Number)
  for (var i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] < b[i]
  }
  return false
}

if (older(process.versions.node, required)) {
  process.stderr.write('faultline needs Node.js ' + required + ' or newer; this is Node.js ' + process.versions.node + '\n')
  process.exit(1)
}

import('@oclif/core').then(function (oclif) {
  return oclif.execute({dir: import.meta.url})
})
