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
  process.stderr.write(
    'faultline needs Node.js ' + required + ' or newer; this is Node.js ' + process.versions.node + '\n',
  )
  process.exit(1)
}

// `faultline --version` is answered here, in the line oclif prints (`faultline/0.1.0 linux-x64
// node-v20.18.1`: its config.userAgent), without loading oclif, which takes most of a start-up.
// oclif answers --version only as the first argument; anything else, and WSL (which oclif
// names `wsl`), goes to oclif. test/cli/version-fast-path.test.ts compares the two.
var argv = process.argv.slice(2)
var answered = argv.length === 1 && argv[0] === '--version' && printVersion()

if (!answered) {
  import('@oclif/core').then(function (oclif) {
    return oclif.execute({dir: import.meta.url})
  })
}

function printVersion() {
  var fs = process.getBuiltinModule('node:fs')
  var os = process.getBuiltinModule('node:os')
  if (maybeWsl(fs, os)) return false
  var pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  var arch = os.arch() === 'ia32' ? 'x86' : os.arch()
  process.stdout.write(
    pkg.name +
      '/' +
      (pkg.version || '0.0.0') +
      ' ' +
      os.platform() +
      '-' +
      arch +
      ' node-' +
      process.version +
      '\n',
  )
  return true
}

/** Any sign of WSL (the signs oclif's is-wsl reads); oclif then decides between linux and wsl. */
function maybeWsl(fs, os) {
  if (os.platform() !== 'linux') return false
  if (/microsoft/i.test(os.release())) return true
  var version = ''
  try {
    version = fs.readFileSync('/proc/version', 'utf8')
  } catch {
    version = ''
  }
  return (
    /microsoft/i.test(version) ||
    fs.existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') ||
    fs.existsSync('/run/WSL')
  )
}
