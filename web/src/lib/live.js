// Live chain status: one WebSocket to /ws subscribed to "blocks", reconnecting
// with back-off; views subscribe to the state and to new blocks.
//
// State: {connected, height, lastBlockTimeMs, lastBlockSeenAt (page clock),
//         recentTimes (block times, newest last, up to 60)}.
import { wsUrl } from './rpc.js';

const state = { connected: false, height: 0, lastBlockTimeMs: 0, lastBlockSeenAt: 0, recentTimes: [] };
const stateListeners = new Set();
const blockListeners = new Set();
let socket = null;
let retryMs = 1000;
let started = false;

function emitState() {
  for (const fn of stateListeners) fn(state);
}

function noteBlock(block) {
  if (!block || !Number.isFinite(block.height)) return;
  if (block.height > state.height) {
    state.height = block.height;
    state.lastBlockTimeMs = block.time_ms ?? state.lastBlockTimeMs;
    state.lastBlockSeenAt = Date.now();
  }
  if (Number.isFinite(block.time_ms) && !state.recentTimes.includes(block.time_ms)) {
    state.recentTimes.push(block.time_ms);
    state.recentTimes.sort((a, b) => a - b);
    if (state.recentTimes.length > 60) state.recentTimes.splice(0, state.recentTimes.length - 60);
  }
}

function connect() {
  try {
    socket = new WebSocket(wsUrl());
  } catch {
    setTimeout(connect, retryMs);
    return;
  }
  socket.addEventListener('open', () => {
    retryMs = 1000;
    socket.send(JSON.stringify({ subscribe: 'blocks' }));
  });
  socket.addEventListener('message', (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (msg.subscribed === 'blocks') {
      state.connected = true;
      emitState();
      return;
    }
    if (msg.topic === 'blocks' && msg.data) {
      state.connected = true;
      noteBlock(msg.data);
      emitState();
      for (const fn of blockListeners) fn(msg.data);
    }
  });
  socket.addEventListener('close', () => {
    state.connected = false;
    emitState();
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  });
  socket.addEventListener('error', () => socket.close());
}

export function startLive() {
  if (started) return;
  started = true;
  connect();
}

// Seeds the state from chain_status / recent blocks fetched by a view.
export function seed({ height, timeMs, times = [] }) {
  for (const tm of times) noteBlock({ height: 0, time_ms: tm });
  noteBlock({ height, time_ms: timeMs });
  emitState();
}

export function liveState() {
  return state;
}

export function onState(fn) {
  stateListeners.add(fn);
  fn(state);
  return () => stateListeners.delete(fn);
}

export function onBlock(fn) {
  blockListeners.add(fn);
  return () => blockListeners.delete(fn);
}
