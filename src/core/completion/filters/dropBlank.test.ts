import { describeFilter } from './cursorCase';
import { dropBlank } from './dropBlank';

describeFilter('dropBlank', dropBlank, [
  ['x = ├ \n\t┤', undefined],
  ['x = ├┤', undefined],
  ['x = ├ 1┤', ' 1'],
]);
