import assert from 'node:assert/strict';
import { test } from 'node:test';
import { componentSelects, flowServices, selectorTargets } from '../src/selection/flow-target.js';

const target = {
  controlPoint: 'ingress',
  services: ['checkout.shop.svc.cluster.local'],
  agentGroup: 'default',
};
const selector = { controlPoint: 'ingress', service: 'any', agentGroup: 'default' };

test('control point, agent group and service must all fit; service any matches every flow', () => {
  assert.equal(selectorTargets(selector, target), true);
  assert.equal(selectorTargets({ ...selector, controlPoint: 'egress' }, target), false);
  assert.equal(selectorTargets({ ...selector, agentGroup: 'other' }, target), false);
  assert.equal(selectorTargets({ ...selector, service: 'checkout.shop.svc.cluster.local' }, target), true);
  assert.equal(selectorTargets({ ...selector, service: 'cart.shop.svc.cluster.local' }, target), false);
});

test('any selector whose label matcher holds selects the component', () => {
  const selectors = [
    { ...selector, labelMatcher: { matchLabels: { user_type: 'guest' } } },
    { ...selector, controlPoint: 'egress' },
  ];
  assert.equal(componentSelects(selectors, target, { user_type: 'guest' }), true);
  assert.equal(componentSelects(selectors, target, { user_type: 'subscriber' }), false);
  assert.equal(componentSelects(selectors, { ...target, controlPoint: 'egress' }, {}), true);
});

test('flow services: the destination service and the host without its port, without duplicates', () => {
  assert.deepEqual(flowServices('', 'checkout:8080'), ['checkout']);
  assert.deepEqual(flowServices('outbound|80||checkout', 'checkout'), ['outbound|80||checkout', 'checkout']);
  assert.deepEqual(flowServices('checkout', 'checkout:80'), ['checkout']);
  assert.deepEqual(flowServices('', ''), []);
});
