import { scenario as s } from './scenario';

export const GO = [
  s('func header without its brace is a block', 'go', 'func main()├ {\n\tfmt.Println("hi")\n}┤', ' {\n\tfmt.Println("hi")\n}'),
  s('if block ends at its own brace; the function\'s brace below is another', 'go', 'func f() error {\n\terr := g()\n\tif err != nil {├\n\t\treturn err\n\t}\n\treturn nil┤\n}', '\n\t\treturn err\n\t}'),
  s('gofmt tabs: spaces from the model become tabs', 'go', 'func f() {\n\tx := 1\n\tif x > 0 {├\n        y()\n    }┤\n}', '\n\t\ty()\n\t}'),
  s('struct type header is a block', 'go', 'type Point struct├ {\n\tX, Y int\n}┤', ' {\n\tX, Y int\n}'),
  s('call closer replaced', 'go', '\tfmt.Println(├"done")┤)', '"done")', { replace: 1 }),
  s('open raw string: a block, its spaces are text, not indentation', 'go', 'var usage = `├Usage: tool [flags]\n  -v  verbose\n`┤', 'Usage: tool [flags]\n  -v  verbose\n`'),
  s('mid-line gate: arguments after the cursor', 'go', '\tresult := compute(├x, y┤x, y)', null, { fim: false }),
  s('for header with a three-part clause is a block', 'go', 'func f(n int) {\n\tfor i := 0; i < n; i++├ {\n\t\tuse(i)\n\t}┤\n}', ' {\n\t\tuse(i)\n\t}'),
];

export const RUST = [
  s('fn body between braces replaces the auto-closed brace', 'rust', 'fn main() {├\n    println!("hi");\n}┤}', '\n    println!("hi");\n}', { replace: 1 }),
  s('match block ends at its brace', 'rust', 'fn f(x: u8) -> u8 {\n    match x {├\n        0 => 1,\n        _ => 2,\n    }\n}\nfn g() {}┤\n}', '\n        0 => 1,\n        _ => 2,\n    }'),
  s('lifetimes are not quotes', 'rust', "fn first<'a>(s: &'a str) -> &'a str {├\n    &s[..1]\n}┤", '\n    &s[..1]\n}'),
  s('impl header is a block', 'rust', 'impl Point├ {\n    fn new() -> Self { Point }\n}┤', ' {\n    fn new() -> Self { Point }\n}'),
  s('macro call: paren and semicolon replaced', 'rust', '    println!("{}", ├x);┤);', 'x);', { replace: 2 }),
  s('end of a statement: one line', 'rust', '    let total = items.iter().├sum::<u32>();\n    x┤', 'sum::<u32>();'),
  s('comment: one line', 'rust', '    // Safety:├ the pointer is valid\n    x┤', ' the pointer is valid'),
];

export const JAVA = [
  s('method header without its brace is a block', 'java', 'class A {\n    public int size()├ {\n        return n;\n    }┤\n}', ' {\n        return n;\n    }'),
  s("method body stops at the brace closing it", 'java', 'class A {\n    void f() {├\n        g();\n    }\n    void h() {}┤\n}', '\n        g();\n    }'),
  s('duplicated closing line (same indentation) dropped', 'java', 'class A {\n    void f() {├\n        g();\n    }┤\n    }\n}', '\n        g();'),
  s('string and call closed inside the completion: quote, paren and semicolon replaced', 'java', '        System.out.println("├Hello, " + name);┤");', 'Hello, " + name);', { replace: 3 }),
  s('class header is a block', 'java', 'public class Main├ {\n    public static void main(String[] args) {\n    }\n}┤', ' {\n    public static void main(String[] args) {\n    }\n}'),
  s('mid-line gate: a call after the cursor', 'java', '    int n = list.├size();┤size();', null, { fim: false }),
];

export const C = [
  s('function definition header is a block', 'c', 'int main(void)├\n{\n    return 0;\n}┤', '\n{\n    return 0;\n}'),
  s('printf: paren and semicolon replaced', 'c', '    printf("%d\\n", ├x);┤);', 'x);', { replace: 2 }),
  s('a brace in a char literal does not count', 'c', "int f(char c) {\n    if (c == '{') {├\n        return 1;\n    }\n    return 0;┤\n}", '\n        return 1;\n    }'),
  s('tab-indented file: spaces become tabs', 'c', 'int f(void) {\n\treturn 1;\n}\nint g(void) {├\n    int x = 2;\n    return x;\n}┤', '\n\tint x = 2;\n\treturn x;\n}'),
  s('struct header is a block', 'c', 'struct point├ {\n    int x;\n    int y;\n};┤', ' {\n    int x;\n    int y;\n};'),
];

export const PHP = [
  s('function header is a block', 'php', '<?php\nfunction total($items)├\n{\n    return array_sum($items);\n}┤', '\n{\n    return array_sum($items);\n}'),
  s('method body: the duplicated closing line dropped', 'php', '<?php\nclass Cart {\n    public function count(): int {├\n        return count($this->items);\n    }┤\n    }\n}', '\n        return count($this->items);'),
  s('call closer and semicolon replaced', 'php', '<?php\necho htmlspecialchars(├$name);┤);', '$name);', { replace: 2 }),
  s('# comment: one line', 'php', '<?php\n# note:├ keep it short\n$x = 1;┤', ' keep it short'),
  s('array literal closer and semicolon replaced', 'php', '<?php\n$a = [├1, 2, 3];┤];', '1, 2, 3];', { replace: 2 }),
];
