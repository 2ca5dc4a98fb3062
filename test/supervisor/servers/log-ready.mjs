// Test server: listens on nothing; announces readiness only in its log, a bit later.
console.log('warming up caches')
setTimeout(() => {
  console.error('still warming up')
  setTimeout(() => console.log(`Server READY pid=${process.pid}`), 50)
}, 50)
setInterval(() => {}, 1 << 30)
