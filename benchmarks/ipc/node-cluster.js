// Node's cluster channel (process.send between the primary and forked workers), measured as
// IpcBenchmark measures the cluster's: ping (the worker asks, the primary answers, one at a
// time), burst (100,000 messages of about 100 bytes to the primary, then one question the
// primary answers after all of them), relay (a worker asks another one through the primary).
'use strict';
const cluster = require('node:cluster');

const WARMUP = 100000;
const MEASURED = 100000;
const BURST = 100000;
const BURST_WARMUP_ROUNDS = 5;

function micros(nanos) {
  return Math.floor(Number(nanos) / 1000);
}

// One request at a time: send, and resolve on the answer with the same id
function asker(send) {
  let waiting = null;
  process.on('message', (message) => {
    if (message.type === 'reply' && waiting) {
      const resolve = waiting;
      waiting = null;
      resolve(message.payload);
    }
  });
  let id = 0;
  return (topic, payload, to) => new Promise((resolve) => {
    waiting = resolve;
    send({ type: 'message', topic, payload, to, id: ++id });
  });
}

async function roundTrips(name, ask, to) {
  for (let i = 0; i < WARMUP; i++) {
    await ask('ping', i, to);
  }
  const nanos = new Array(MEASURED);
  const start = process.hrtime.bigint();
  for (let i = 0; i < MEASURED; i++) {
    const sent = process.hrtime.bigint();
    await ask('ping', i, to);
    nanos[i] = process.hrtime.bigint() - sent;
  }
  const elapsed = process.hrtime.bigint() - start;
  nanos.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const perSecond = Math.floor(MEASURED * 1e9 / Number(elapsed));
  console.log(`${name}: ${perSecond} round trips/s, p50 ${micros(nanos[MEASURED / 2])} us, `
    + `p99 ${micros(nanos[MEASURED * 99 / 100])} us`);
}

async function burst(ask) {
  const text = 'x'.repeat(64);
  // Bursts before warm the same code up, as IpcBenchmark does
  for (let round = 0; round <= BURST_WARMUP_ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BURST; i++) {
      process.send({ type: 'message', topic: 'burst', payload: { seq: i, text }, to: 0, id: 0 });
    }
    const outcome = await ask('burst-done', '', 0);
    const elapsed = process.hrtime.bigint() - start;
    if (outcome !== `${BURST} received, 0 out of order`) {
      throw new Error(`Burst: ${outcome}`);
    }
    if (round === BURST_WARMUP_ROUNDS) {
      console.log(`ipc node burst: ${Math.floor(BURST * 1e9 / Number(elapsed))} messages/s`);
    }
  }
}

async function worker() {
  const role = process.env.ROLE;
  const ask = asker((message) => process.send(message));
  process.on('message', (message) => {
    if (message.type === 'message' && message.id > 0 && role === 'relay-answer') {
      process.send({ type: 'reply', id: message.id, to: message.from, payload: message.payload });
    }
  });
  if (role === 'ping') {
    await roundTrips('ipc node', ask, 0);
  }
  else if (role === 'burst') {
    await burst(ask);
  }
  else if (role === 'relay') {
    await roundTrips('ipc node worker to worker', ask, 1);
  }
  else {
    return;
  }
  process.exit(0);
}

function primary() {
  const workers = new Map();
  let received = 0;
  let outOfOrder = 0;
  const answer = (from, id, payload) => workers.get(from).send({ type: 'reply', id, payload });
  const scenario = (roles) => new Promise((resolve) => {
    roles.forEach((role, index) => {
      const id = index + 1;
      const child = cluster.fork({ ROLE: role });
      workers.set(id, child);
      child.on('message', (message) => {
        if (message.type === 'reply') {
          workers.get(message.to).send(message);
        }
        else if (message.to !== 0) {
          workers.get(message.to).send({ ...message, from: id });
        }
        else if (message.topic === 'ping') {
          answer(id, message.id, message.payload);
        }
        else if (message.topic === 'burst') {
          if (message.payload.seq !== received) {
            outOfOrder++;
          }
          received++;
        }
        else if (message.topic === 'burst-done') {
          answer(id, message.id, `${received} received, ${outOfOrder} out of order`);
          received = 0;
          outOfOrder = 0;
        }
      });
      if (index === roles.length - 1) {
        child.on('exit', () => {
          workers.forEach((each) => each.process.kill());
          workers.clear();
          resolve();
        });
      }
    });
  });
  (async () => {
    await scenario(['ping']);
    await scenario(['burst']);
    await scenario(['relay-answer', 'relay']);
  })();
}

if (cluster.isPrimary) {
  primary();
}
else {
  worker();
}
