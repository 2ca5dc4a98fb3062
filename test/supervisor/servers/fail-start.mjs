// Test server: fails at start the way real servers do — a line on stdout, the error on stderr, exit 1.
console.log('booting payments service')
console.error('Error: database unreachable at 127.0.0.1:1 (ECONNREFUSED)')
process.exitCode = 1
