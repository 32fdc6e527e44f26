import { describeFilter } from './cursorCase';
import { keepSurrogatePairs } from './keepSurrogatePairs';

describeFilter('keepSurrogatePairs', keepSurrogatePairs, [
  ['msg = ├"🎉 done"┤', '"🎉 done"'],
  // A trailing high surrogate without its low half goes.
  ['msg = ├"ok \uD83C┤', '"ok '],
  // A low half with no high half before it (a split pair) starts nothing.
  ['msg = "\uD83C├\uDF89 x"┤', ''],
  ['s = ├"a\uDF89b"┤', '"a'],
  ['s = ├"👍🏽"┤', '"👍🏽"'],
]);
