// Test server: runs forever and never listens anywhere.
console.log(`never-ready ${process.pid} waiting for a dependency that never comes`)
setInterval(() => {}, 1 << 30)
